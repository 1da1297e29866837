#!/usr/bin/env bash
# Builds a registry-free base image for the legacy Dockerfiles: a Debian bookworm root filesystem made with
# debootstrap from Debian's mirror, plus a CPython 3.8 copied from this machine (pyenv's build) to /opt/conda,
# the prefix the Dockerfiles install into; imported with `docker import`. Use it with
#   --build-arg BASE_IMAGE=<tag> --build-arg PYTHON_IMAGE=<tag>   (make image-cpu OFFLINE=1 does)
# Cached twice: the debootstrap tarball under $REPRO_BASE_CACHE (default /var/cache/repro), and the image by a
# tag that carries a hash of this script and the interpreter, so an unchanged rerun returns at once.
#   env: PY38 (a CPython 3.8; default python3.8, or pyenv's 3.8), DEBIAN_MIRROR, BASE_TAG_PREFIX, DOCKER
# Prints the image tag on stdout (last line). Needs root (debootstrap, chroot).
set -euo pipefail
cd "$(dirname "$0")/.."
docker=${DOCKER:-docker}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
cache=${REPRO_BASE_CACHE:-/var/cache/repro}
prefix_tag=${BASE_TAG_PREFIX:-repro-base}
py38=${PY38:-}
if [ -z "$py38" ]; then  # pyenv's shim only works where 3.8 is a selected version: look behind it too
    for c in python3.8 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.8*/bin/python3.8; do
        if "$c" -c '' 2>/dev/null; then py38=$c; break; fi
    done
fi
if [ -z "$py38" ] || ! "$py38" -c 'import sys; assert sys.version_info[:2] == (3, 8)' 2>/dev/null; then
    echo "error: no CPython 3.8 found (set PY38=/path/to/python3.8)" >&2
    exit 2
fi
command -v debootstrap >/dev/null || { echo "error: debootstrap is missing (apt-get install debootstrap)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "error: base-image.sh needs root (debootstrap, chroot)" >&2; exit 2; }
prefix=$("$py38" -c 'import sys; print(sys.base_prefix)')
version=$("$py38" -c 'import platform; print(platform.python_version())')

# Runtime libraries of CPython's extension modules (ssl, sqlite3, lzma, bz2, ctypes, readline, uuid, nis, crypt);
# tkinter's X11/Tk stack is left out on purpose: nothing in the legacy stack uses it.
packages=ca-certificates,passwd,libbz2-1.0,libcrypt1,libexpat1,libffi8,libgssapi-krb5-2,liblzma5,libncursesw6,libnsl2
packages=$packages,libreadline8,libsqlite3-0,libssl3,libtinfo6,libtirpc3,libuuid1,zlib1g

key=$( { cat "$0"; echo "$suite $mirror $version"; "$py38" -c 'import sys; print(sys.version)'; } | sha256sum | cut -c1-12)
tag="$prefix_tag:$suite-py$version-$key"
if "$docker" image inspect "$tag" >/dev/null 2>&1; then
    echo "base-image: $tag exists" >&2
    "$docker" tag "$tag" "$prefix_tag:$suite-py3.8"
    echo "$tag"
    exit 0
fi

work=$(mktemp -d /var/tmp/repro-base.XXXXXX)
cleanup() {
    # debootstrap mounts /proc inside the root filesystem: unmount before deleting, never cross into a mount
    findmnt -rn -o TARGET | grep -F "$work/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf --one-file-system "$work"
}
trap cleanup EXIT
rootfs=$work/rootfs
mkdir -p "$rootfs" "$cache"
rootfs_tar="$cache/debootstrap-$suite-$(echo "$mirror $packages" | sha256sum | cut -c1-12).tar"
if [ -s "$rootfs_tar" ]; then
    echo "base-image: root filesystem from $rootfs_tar" >&2
else
    echo "base-image: debootstrap $suite from $mirror (a few minutes)" >&2
    debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
        || { tail -n 30 "$work/debootstrap.log" >&2; echo "error: debootstrap failed" >&2; exit 1; }
    findmnt -rn -o TARGET | grep -F "$rootfs/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" --numeric-owner --one-file-system -cf "$rootfs_tar.part" .
    mv "$rootfs_tar.part" "$rootfs_tar"
    rm -rf --one-file-system "$rootfs"; mkdir -p "$rootfs"
fi
tar -C "$rootfs" --numeric-owner -xf "$rootfs_tar"

echo "base-image: CPython $version from $prefix -> /opt/conda" >&2
dest=$rootfs/opt/conda
mkdir -p "$dest/bin" "$dest/lib"
cp -a "$prefix/bin/python3.8" "$dest/bin/"
ln -s python3.8 "$dest/bin/python3"
ln -s python3.8 "$dest/bin/python"
cp -a "$prefix"/lib/libpython3* "$dest/lib/"
# the standard library without its own test suite; site-packages keeps only pip and setuptools
tar -C "$prefix/lib" --exclude=python3.8/test --exclude='python3.8/site-packages/*' -cf - python3.8 | tar -C "$dest/lib" -xf -
site=lib/python3.8/site-packages
for d in pip setuptools pkg_resources _distutils_hack distutils-precedence.pth; do
    if [ -e "$prefix/$site/$d" ]; then cp -a "$prefix/$site/$d" "$dest/$site/"; fi
done
cp -a "$prefix/$site"/{pip,setuptools}-*.dist-info "$dest/$site/"
# the binary's RUNPATH names the build prefix; the loader falls back to ld.so.cache
echo /opt/conda/lib >"$rootfs/etc/ld.so.conf.d/python3.8.conf"
ln -s /opt/conda/bin/python3.8 "$rootfs/usr/local/bin/python3.8"
chroot "$rootfs" /sbin/ldconfig
# every extension module but tkinter must find its libraries, and the interpreter must start
missing=$(chroot "$rootfs" /bin/sh -c 'for f in /opt/conda/lib/python3.8/lib-dynload/*.so; do
    case "$f" in *_tkinter*) continue ;; esac; ldd "$f" | sed -n "s|^\s*\(.*\) => not found|$f: \1|p"; done')
[ -z "$missing" ] || { echo "error: libraries missing in the base image:" >&2; echo "$missing" >&2; exit 1; }
chroot "$rootfs" /usr/local/bin/python3.8 -c 'import ssl, sqlite3, lzma, bz2, ctypes, uuid, venv, pip' \
    || { echo "error: CPython 3.8 does not start in the base root filesystem" >&2; exit 1; }

echo "base-image: docker import -> $tag" >&2
tar -C "$rootfs" --numeric-owner -cf - . | "$docker" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8' \
    --change 'CMD ["/bin/bash"]' \
    --message "debootstrap $suite ($mirror) + CPython $version at /opt/conda" - "$tag" >/dev/null
"$docker" tag "$tag" "$prefix_tag:$suite-py3.8"
echo "$tag"
