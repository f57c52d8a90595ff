"""The language server of migrate-tf (``migrate-tf lsp``).

:mod:`migrate_tf.lsp.analysis` is the editor-independent part (what a document would
become, its diagnostics' positions, the edits of each code action);
:mod:`migrate_tf.lsp.server` speaks LSP through pygls. pygls is an optional
dependency (the ``lsp`` extra) and is imported only when the server starts, so the
command line stays fast.
"""

from __future__ import annotations


class MissingDependency(RuntimeError):
    """pygls (the ``lsp`` extra) is not installed."""


def serve(*, tcp: bool = False, host: str = "127.0.0.1", port: int = 2087) -> None:
    """Start the language server (stdio, or TCP on ``host``:``port``)."""
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError as error:
        raise MissingDependency(
            f"the language server needs pygls ({error}); "
            "install it with: pip install 'migrate-tf[lsp]'"
        ) from None
    from migrate_tf.lsp.server import serve as run

    run(tcp=tcp, host=host, port=port)
