"""Archival wheelhouse of the legacy stack: every pinned wheel plus the GitHub-only source snapshots in one folder.

    python docker/wheelhouse.py build  [--dest wheelhouse] [--torch cpu cuda ...] [--sources DIR]
    python docker/wheelhouse.py verify [--dest wheelhouse]
    python docker/wheelhouse.py stage  [--dest wheelhouse] --torch cpu --into DIR   (an image's build context)

Layout (what docker/install-legacy-env.sh and docker/legacy-venv.sh read with REPRO_WHEELHOUSE=DIR):
    DIR/*.whl                 cp38 / manylinux x86_64 wheels of the pin files (flat: pip --find-links DIR)
    DIR/legacy-src/           one tarball per GitHub-only package + MANIFEST.tsv (name, commit, sha256, ...)
    DIR/MANIFEST.tsv          every file: path, sha256, bytes, the pin file it came from
    DIR/SHA256SUMS            the same sums, for `sha256sum -c`

Wheels are fetched for the target (CPython 3.8, Linux x86_64), not for the interpreter running this script, so
any Python >= 3.8 with pip >= 20.3 can build it. The manifest is written last and atomically: a folder without one is
incomplete. Reruns only fetch what is missing.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONDA = ROOT / "conda"
LOCK = CONDA / "requirements-py38.lock.txt"
GIT_PINS = CONDA / "git-pins.txt"
ENVIRONMENT = CONDA / "environment.yml"  # its pip and wheel: an offline base image upgrades to them
# pip/pytest of the Python 3.8 venvs (legacy-venv.sh upgrades pip first, then installs pytest for the contract run)
EXTRA_PINS = (ROOT / "tests" / "legacy" / "requirements-py38.txt",)
# glibc 2.28 and older (pip does not expand a --platform to older tags); linux_x86_64 for PyTorch's own index
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux2010_x86_64",
             "manylinux1_x86_64", "linux_x86_64")
SOURCES_DIR = "legacy-src"
SOURCES_COLUMNS = ("name", "commit", "upstream", "tarball", "sha256", "files_missing_in_mirror")


class WheelhouseError(Exception):
    pass


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_pins(path: Path) -> tuple[dict[str, str], list[str]]:
    """{normalized name: version} of a pip requirements file, and its option lines (--index-url ...).
    For conda/environment.yml: its pip and wheel pins (the conda `- name=version` lines)."""
    if path == ENVIRONMENT:
        found = re.findall(r"^\s*-\s*(pip|wheel)=([0-9.]+)\s*$", path.read_text(), re.M)
        return {name: version for name, version in found}, []
    pins, options = {}, []
    for line in path.read_text().splitlines():
        spec = line.split("#", 1)[0].strip()
        if not spec:
            continue
        if spec.startswith("-"):
            options.append(spec)
            continue
        name, sep, version = spec.partition("==")
        if not sep:
            raise WheelhouseError(f"{path.name}: '{spec}' is not pinned with ==")
        pins[_norm(name)] = version.strip()
    return pins, options


def wheel_key(filename: str) -> tuple[str, str]:
    name, version = filename.split("-")[:2]
    return _norm(name), version


def torch_pin_files(variants: list[str] | None) -> list[Path]:
    files = sorted(CONDA.glob("torch-*.txt"))
    if variants is None:
        return files
    by_variant = {f.stem[len("torch-"):]: f for f in files}
    unknown = [v for v in variants if v not in by_variant]
    if unknown:
        raise WheelhouseError(f"no conda/torch-{unknown[0]}.txt (have: {', '.join(sorted(by_variant))})")
    return [by_variant[v] for v in variants]


def download(pin_file: Path, dest: Path, python: str) -> None:
    pins, options = read_pins(pin_file)
    have = {wheel_key(p.name) for p in dest.glob("*.whl")}
    if all((n, v) in have for n, v in pins.items()):
        print(f"wheelhouse: {pin_file.relative_to(ROOT)}: all {len(pins)} wheels present", file=sys.stderr)
        return
    print(f"wheelhouse: {pin_file.relative_to(ROOT)}: fetching {len(pins)} pins", file=sys.stderr)
    cmd = [python, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
           "--only-binary", ":all:", "--implementation", "cp", "--python-version", "3.8", "--abi", "cp38",
           "--abi", "abi3", "--abi", "none", "--dest", str(dest)]
    for platform in PLATFORMS:
        cmd += ["--platform", platform]
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as req:
        req.write("".join(f"{o}\n" for o in options) + "".join(f"{n}=={v}\n" for n, v in pins.items()))
        req.flush()
        done = subprocess.run([*cmd, "-r", req.name])
    if done.returncode != 0:
        where = next((o for o in options if o.startswith("--index-url")), "PyPI")
        raise WheelhouseError(f"pip download failed for {pin_file.relative_to(ROOT)} (from {where}); "
                              f"leave that pin file out with --torch / WHEELHOUSE_TORCH if its index is unreachable")


def check_complete(pin_files: list[Path], dest: Path) -> dict[str, str]:
    """{wheel filename: pin file} for every pin; raises when a pin has no wheel."""
    wheels = {wheel_key(p.name): p.name for p in dest.glob("*.whl")}
    origin, missing = {}, []
    for pin_file in pin_files:
        for name, version in read_pins(pin_file)[0].items():
            filename = wheels.get((name, version))
            if filename is None:
                missing.append(f"{name}=={version} ({pin_file.name})")
            else:
                origin.setdefault(filename, pin_file.relative_to(ROOT).as_posix())
    if missing:
        raise WheelhouseError("no wheel for " + ", ".join(missing))
    return origin


def git_pins() -> dict[str, tuple[str, str]]:
    pins = {}
    for line in GIT_PINS.read_text().splitlines():
        fields = line.split()
        if fields and not fields[0].startswith("#"):
            pins[fields[0]] = (fields[1], fields[2])
    return pins


def read_sources_manifest(folder: Path) -> list[dict[str, str]]:
    with open(folder / "MANIFEST.tsv", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def copy_sources(src: Path, dest: Path) -> None:
    """Copy a source-snapshot folder (MANIFEST.tsv + tarballs), checking each pin's commit and sha256."""
    if not (src / "MANIFEST.tsv").is_file():
        raise WheelhouseError(f"--sources {src} has no MANIFEST.tsv")
    rows = {r["name"]: r for r in read_sources_manifest(src)}
    for name, (_url, commit) in git_pins().items():
        row = rows.get(name)
        if row is None:
            raise WheelhouseError(f"{src}/MANIFEST.tsv has no row for {name} (conda/git-pins.txt)")
        if not row["commit"].startswith(commit):
            raise WheelhouseError(f"{src} has {name} at {row['commit']}, conda/git-pins.txt pins {commit}")
        if _sha256(src / row["tarball"]) != row["sha256"]:
            raise WheelhouseError(f"{src / row['tarball']} does not match its MANIFEST.tsv sha256")
    dest.mkdir(parents=True, exist_ok=True)
    for path in src.iterdir():
        if path.is_file():
            shutil.copyfile(path, dest / path.name)


def archive_sources(dest: Path) -> None:
    """Snapshot each GitHub-only package at its pinned commit with git (needs the network and git)."""
    dest.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, (url, commit) in git_pins().items():
        with tempfile.TemporaryDirectory(prefix="wheelhouse-git-") as tmp:
            subprocess.run(["git", "clone", "--quiet", "--no-checkout", url, tmp], check=True)
            full = subprocess.run(["git", "-C", tmp, "rev-parse", f"{commit}^{{commit}}"], check=True,
                                  capture_output=True, text=True).stdout.strip()
            tarball = f"{name}-{full[:12]}.tar.gz"
            with open(dest / tarball, "wb") as out:
                archive = subprocess.Popen(["git", "-C", tmp, "archive", "--format=tar",
                                            f"--prefix={name}-{full[:12]}/", full], stdout=subprocess.PIPE)
                subprocess.run(["gzip", "-n", "-9"], stdin=archive.stdout, stdout=out, check=True)
                if archive.wait() != 0:
                    raise WheelhouseError(f"git archive failed for {name} {full}")
        rows.append({"name": name, "commit": full, "upstream": re.sub(r"\.git$", "", url), "tarball": tarball,
                     "sha256": _sha256(dest / tarball), "files_missing_in_mirror": "0"})
    with open(dest / "MANIFEST.tsv", "w", newline="") as f:
        f.write("# Source snapshots of the legacy stack (GitHub-only code), made by docker/wheelhouse.py with git.\n")
        writer = csv.DictWriter(f, SOURCES_COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def check_sources(folder: Path) -> None:
    if not (folder / "MANIFEST.tsv").is_file():
        raise WheelhouseError(f"{folder} has no MANIFEST.tsv")
    for row in read_sources_manifest(folder):
        with tarfile.open(folder / row["tarball"]) as tar:  # readable, not just present
            tar.getmembers()


def write_manifest(dest: Path, origin: dict[str, str]) -> None:
    rows = []
    for path in sorted(p for p in dest.rglob("*") if p.is_file()):
        rel = path.relative_to(dest).as_posix()
        if rel in ("MANIFEST.tsv", "SHA256SUMS") or rel.startswith("."):
            continue
        source = origin.get(rel) or (SOURCES_DIR if rel.startswith(SOURCES_DIR + "/") else "")
        if not source:
            continue  # a wheel of an older pin left from a previous run: not part of this wheelhouse
        rows.append((rel, _sha256(path), path.stat().st_size, source))
    for name, text in (("MANIFEST.tsv", "path\tsha256\tbytes\tfrom\n" + "".join(
            f"{r}\t{s}\t{b}\t{o}\n" for r, s, b, o in rows)),
                       ("SHA256SUMS", "".join(f"{s}  {r}\n" for r, s, _b, _o in rows))):
        tmp = dest / f".{name}.tmp"
        tmp.write_text(text)
        os.replace(tmp, dest / name)
    total = sum(b for _r, _s, b, _o in rows)
    print(f"wheelhouse: {dest}: {len(rows)} files, {total / 1e9:.2f} GB, MANIFEST.tsv + SHA256SUMS written")


def verify(dest: Path) -> int:
    manifest = dest / "MANIFEST.tsv"
    if not manifest.is_file():
        raise WheelhouseError(f"{dest} has no MANIFEST.tsv (incomplete: run `make wheelhouse`)")
    bad = []
    with open(manifest, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for row in rows:
        path = dest / row["path"]
        if not path.is_file() or path.stat().st_size != int(row["bytes"]) or _sha256(path) != row["sha256"]:
            bad.append(row["path"])
    if bad:
        raise WheelhouseError(f"{len(bad)} of {len(rows)} files missing or changed: {', '.join(bad[:5])}")
    print(f"wheelhouse: {dest}: all {len(rows)} files match MANIFEST.tsv")
    return 0


def stage(dest: Path, torch_variant: str, into: Path) -> int:
    """Hard-link (or copy) what one image needs from a verified wheelhouse into a build context's folder."""
    verify(dest)
    pin_files = [LOCK, *torch_pin_files([torch_variant]), ENVIRONMENT]
    wheels = check_complete(pin_files, dest)
    if into.exists():
        shutil.rmtree(into)
    (into / SOURCES_DIR).mkdir(parents=True)
    files = [*wheels, *(p.relative_to(dest).as_posix() for p in (dest / SOURCES_DIR).iterdir() if p.is_file())]
    for rel in files:
        try:
            os.link(dest / rel, into / rel)
        except OSError:  # another filesystem
            shutil.copyfile(dest / rel, into / rel)
    print(f"wheelhouse: {len(files)} files of {dest} staged in {into}", file=sys.stderr)
    return 0


def build(dest: Path, torch_variants: list[str] | None, sources: Path | None, python: str) -> int:
    pin_files = [LOCK, *torch_pin_files(torch_variants), ENVIRONMENT, *EXTRA_PINS]
    src_dest = dest / SOURCES_DIR
    dest.mkdir(parents=True, exist_ok=True)
    # sources first: a bad --sources folder fails before gigabytes of wheels are fetched
    if sources is not None:
        copy_sources(sources, src_dest)
    elif not (src_dest / "MANIFEST.tsv").is_file():
        archive_sources(src_dest)
    check_sources(src_dest)
    for pin_file in pin_files:
        download(pin_file, dest, python)
    origin = check_complete(pin_files, dest)
    write_manifest(dest, origin)
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="docker/wheelhouse.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="fetch every pinned wheel and the source snapshots, then write the manifest")
    b.add_argument("--torch", nargs="*", metavar="VARIANT",
                   help="torch pin files to include, conda/torch-VARIANT.txt (default: all of them; "
                        "none given: no torch)")
    b.add_argument("--sources", type=Path,
                   help="copy source snapshots from this folder (MANIFEST.tsv checked) instead of git-archiving "
                        "the pinned commits, e.g. ../shared/vendor/legacy-src")
    b.add_argument("--python", default=sys.executable, help="interpreter whose pip downloads (default: this one)")
    v = sub.add_parser("verify", help="check every file against MANIFEST.tsv")
    st = sub.add_parser("stage", help="link the wheels of one image (lock + one torch variant) into a folder")
    st.add_argument("--torch", required=True, metavar="VARIANT", help="conda/torch-VARIANT.txt")
    st.add_argument("--into", required=True, type=Path, help="folder to create (replaced if it exists)")
    for s in (b, v, st):
        s.add_argument("--dest", type=Path, default=ROOT / "wheelhouse", help="the folder (default: wheelhouse/)")
    args = p.parse_args(argv)
    try:
        if args.command == "verify":
            return verify(args.dest)
        if args.command == "stage":
            return stage(args.dest, args.torch, args.into)
        if args.sources is not None and not args.sources.is_dir():
            raise WheelhouseError(f"--sources {args.sources} is not a directory")
        return build(args.dest, args.torch, args.sources, args.python)
    except (WheelhouseError, subprocess.CalledProcessError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
