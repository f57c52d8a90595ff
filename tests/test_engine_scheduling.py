"""Work units of the process pool: every file once, large files first, the rest in order."""

from migrate_tf.engine.runner import _chunks


def test_every_file_is_in_exactly_one_unit_and_large_files_start_first(tmp_path):
    sizes = [10] * 300
    sizes[250] = 50_000  # a large file near the end
    sizes[7] = 20_000
    paths = []
    for index, size in enumerate(sizes):
        path = tmp_path / f"f{index:03}.py"
        path.write_bytes(b"x" * size)
        paths.append(str(path))
    paths.append(str(tmp_path / "missing.py"))  # unreadable: cost 0, still scheduled
    chunks = _chunks(paths, list(range(len(paths))), workers=2)
    flat = [index for chunk in chunks for index in chunk]
    assert sorted(flat) == list(range(len(paths)))
    assert chunks[0] == [250] and chunks[1] == [7]
    rest = flat[2:]
    assert rest == sorted(rest)
