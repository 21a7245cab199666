"""Same seed → identical bytes of every file; another seed → different data."""

from __future__ import annotations

import hashlib
import json

import pytest

from nqp.errors import InputError
from nqp.synth import write_synthetic


def _manifest(path):
    return json.loads((path / "manifest.json").read_text(encoding="utf-8"))


def test_manifest_lists_every_file_with_its_hash(small):
    out, summary = small
    m = _manifest(out)
    assert m["synthetic"] is True and m["seed"] == summary.seed and m["scale"] == summary.scale
    listed = {f["path"]: f for f in m["files"]}
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(listed) == on_disk
    for rel in sorted(on_disk)[::25]:  # every 25th file, hashed independently
        data = (out / rel).read_bytes()
        assert listed[rel]["sha256"] == hashlib.sha256(data).hexdigest(), rel
        assert listed[rel]["bytes"] == len(data)


def test_same_seed_same_bytes(small, tmp_path):
    out, summary = small
    again = write_synthetic(tmp_path / "again", scale=summary.scale, progress=False)
    a, b = _manifest(out), _manifest(tmp_path / "again")
    assert a == b
    assert again.firm_years == summary.firm_years
    # and the bytes on disk, not only the manifest
    for rel in ("TRD_Co.csv", "CD_Dividend.xlsx", "patents/incopat_2019-2022.csv", "truth/firm_year.parquet"):
        assert (out / rel).read_bytes() == (tmp_path / "again" / rel).read_bytes(), rel
    pdfs = sorted(p.name for p in (out / "reports").glob("*.pdf"))
    assert pdfs and all((out / "reports" / n).read_bytes() == (tmp_path / "again" / "reports" / n).read_bytes()
                        for n in pdfs)


def test_other_seed_other_data(small, tmp_path):
    out, summary = small
    write_synthetic(tmp_path / "other", scale=summary.scale, seed=7, progress=False)
    a = {f["path"]: f["sha256"] for f in _manifest(out)["files"]}
    b = {f["path"]: f["sha256"] for f in _manifest(tmp_path / "other")["files"]}
    for rel in ("FS_Combas.csv", "TRD_Co.csv", "patents/incopat_2015-2018.csv", "truth/firm_year.parquet"):
        assert a[rel] != b[rel], rel


def test_rewrite_in_place_and_refuse_foreign_folder(small, tmp_path):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("user data")
    with pytest.raises(InputError, match="not empty"):
        write_synthetic(foreign, scale=0.01, progress=False)
    assert (foreign / "mine.txt").read_text() == "user data"
    target = tmp_path / "twice"
    write_synthetic(target, scale=0.01, progress=False)
    first = _manifest(target)
    write_synthetic(target, scale=0.01, progress=False)  # a previous synth output may be replaced
    assert _manifest(target) == first


def test_bad_scale():
    with pytest.raises(InputError):
        write_synthetic("/nonexistent-never-created", scale=0, progress=False)
