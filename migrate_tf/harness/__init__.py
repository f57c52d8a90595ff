"""The equivalence harness behind ``migrate-tf verify`` and ``apply --verify``.

It runs the old code and the migrated code of every conversion and compares them:
the variables (TF1 name without ``:0`` against the Keras 3 ``path``; attribute names
for layer classes), the outputs after the same known values were copied into both by
name, the initial values in distribution, the regularization losses and the sharing
of reused scopes. **It executes the user's code** (old and new) in two worker
processes (the old code, the new code) with a timeout and a memory limit; nothing else
in migrate-tf does.

Modules, in the order a run goes through them:

* :mod:`.verify` collects the units (files migrated in memory by the pipeline, the new
  code written to a temporary directory; or an explicit OLD NEW pair), and judges;
* :mod:`.cases` reads the cases (``migrate-tf.cases.toml``, ``[tool.migrate-tf.cases]``);
* :mod:`.inference` infers what it can from the old source (tensor ranks, dimensions);
* :mod:`.plan` turns conversions and cases into rows with one job per side;
* :mod:`.processes` runs the jobs: two worker processes for all jobs of a run;
* :mod:`.workers` are those processes (``legacy`` for the ``keras2`` then the ``tf1``
  jobs, ``keras3``);
* :mod:`.compare` compares the two records of a row (pure functions);
* :mod:`.report` prints the table and writes JSON / Markdown;
* :mod:`.apply` writes only conversions that pass; :mod:`.command` is what ``cli.py`` calls.

The harness never rewrites code: the new code is the pipeline's output.
Nothing here imports TensorFlow in the calling process.
"""
