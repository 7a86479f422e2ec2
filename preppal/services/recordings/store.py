"""Where recordings live: a local directory by default, S3-compatible object storage when set.

Every method blocks (disk or network): call them from a thread, never on the event loop.

The writer (``recording_writer``) always encodes into a local *spool* file and tells the
store when more of it is safe (:meth:`RecordingStore.checkpoint`) and when it is complete
(:meth:`RecordingStore.finish`):

- :class:`LocalStore`: the spool file *is* the recording (``<dir>/<interview>/<name>``);
  checkpoints and finish cost nothing, and whatever was flushed is on disk.
- :class:`S3Store`: each checkpoint uploads the bytes flushed since the last one as a numbered
  *part object* (``<name>.part000001`` …), so a machine that dies mid-call loses at most one
  checkpoint interval; finish uploads the whole file as one object (boto3 switches to a
  multipart upload above 8 MB) and deletes the parts. Readers use the whole object when it
  exists and otherwise stitch the parts together, so a crashed call still plays.

S3 client: boto3. It reads credentials the standard AWS way (environment, shared config,
instance/container roles), speaks to any S3-compatible endpoint, retries by itself, and is the
stack moto (our test server) is built on. minio-py is smaller but would make deployments
configure keys by hand.
"""

from __future__ import annotations

import abc
import re
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from preppal.settings import Settings

CHUNK = 64 * 1024  # bytes per read when streaming a recording out
_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def _check(*parts: str) -> None:
    """Interview ids and object names become paths/keys: refuse anything that could escape."""
    for part in parts:
        if not _SAFE.fullmatch(part) or ".." in part:
            raise ValueError(f"not a recording name: {part!r}")


@dataclass(frozen=True, slots=True)
class ByteRange:
    """Inclusive byte range of an object of ``size`` bytes (HTTP Range semantics)."""

    start: int
    end: int
    size: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1


class RecordingStore(abc.ABC):
    kind: str = "store"

    @abc.abstractmethod
    def spool_path(self, interview_id: str, name: str) -> Path:
        """The local file the writer encodes ``name`` into."""

    def checkpoint(self, interview_id: str, name: str, path: Path) -> None:  # noqa: B027 (optional hook)
        """Everything flushed to ``path`` so far must survive this process dying."""

    def finish(self, interview_id: str, name: str, path: Path) -> None:  # noqa: B027 (optional hook)
        """``path`` is complete: make it the stored object."""

    @abc.abstractmethod
    def put_bytes(self, interview_id: str, name: str, data: bytes) -> None:
        """Store a small object (the recording's metadata) whole."""

    @abc.abstractmethod
    def size(self, interview_id: str, name: str) -> Optional[int]:
        """Bytes stored for ``name``, or None when there is no such object."""

    @abc.abstractmethod
    def read(self, interview_id: str, name: str, start: int = 0, end: Optional[int] = None) -> Iterator[bytes]:
        """Chunks of bytes ``start..end`` (inclusive; ``end`` None = to the end)."""

    def read_all(self, interview_id: str, name: str) -> Optional[bytes]:
        if self.size(interview_id, name) is None:
            return None
        return b"".join(self.read(interview_id, name))

    @abc.abstractmethod
    def delete(self, interview_id: str) -> None:
        """Remove every object of the interview (no error when there is none)."""

    def recover_spool(self, older_than_s: float) -> list[str]:
        """Complete recordings whose writer died (nothing to do when the spool is the store)."""
        return []


class LocalStore(RecordingStore):
    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, interview_id: str, name: str) -> Path:
        _check(interview_id, name)
        return self.root / interview_id / name

    def spool_path(self, interview_id: str, name: str) -> Path:
        path = self._path(interview_id, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def put_bytes(self, interview_id: str, name: str, data: bytes) -> None:
        path = self.spool_path(interview_id, name)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)

    def size(self, interview_id: str, name: str) -> Optional[int]:
        try:
            return self._path(interview_id, name).stat().st_size
        except FileNotFoundError:
            return None

    def read(self, interview_id: str, name: str, start: int = 0, end: Optional[int] = None) -> Iterator[bytes]:
        with open(self._path(interview_id, name), "rb") as f:
            f.seek(start)
            left = None if end is None else end - start + 1
            while left is None or left > 0:
                chunk = f.read(CHUNK if left is None else min(CHUNK, left))
                if not chunk:
                    return
                if left is not None:
                    left -= len(chunk)
                yield chunk

    def delete(self, interview_id: str) -> None:
        _check(interview_id)
        folder = self.root / interview_id
        if folder.exists():
            shutil.rmtree(folder)


class S3Store(RecordingStore):
    kind = "s3"

    def __init__(self, client: Any, bucket: str, prefix: str, spool_dir: Path) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.spool = LocalStore(spool_dir)
        self._uploaded: dict[tuple[str, str], tuple[int, int]] = {}  # (interview, name) → (bytes, parts)
        self._lock = threading.Lock()

    def _key(self, interview_id: str, name: str) -> str:
        _check(interview_id, name)
        return f"{self.prefix}{interview_id}/{name}"

    def spool_path(self, interview_id: str, name: str) -> Path:
        return self.spool.spool_path(interview_id, name)

    def checkpoint(self, interview_id: str, name: str, path: Path) -> None:
        with self._lock:
            done, parts = self._uploaded.get((interview_id, name), (0, 0))
        with open(path, "rb") as f:
            f.seek(done)
            data = f.read()
        if not data:
            return
        parts += 1
        self.client.put_object(Bucket=self.bucket, Key=f"{self._key(interview_id, name)}.part{parts:06d}", Body=data)
        with self._lock:
            self._uploaded[(interview_id, name)] = (done + len(data), parts)

    def finish(self, interview_id: str, name: str, path: Path) -> None:
        key = self._key(interview_id, name)
        self.client.upload_file(str(path), self.bucket, key)
        stale = [{"Key": k} for k, _ in self._parts(key)]
        if stale:
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": stale, "Quiet": True})
        with self._lock:
            self._uploaded.pop((interview_id, name), None)
        path.unlink(missing_ok=True)
        try:
            path.parent.rmdir()
        except OSError:
            pass  # other tracks still spooling

    def put_bytes(self, interview_id: str, name: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(interview_id, name), Body=data)

    def _list(self, prefix: str) -> list[tuple[str, int]]:
        out: list[tuple[str, int]] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            out += [(o["Key"], int(o["Size"])) for o in page.get("Contents", [])]
        return out

    def _parts(self, key: str) -> list[tuple[str, int]]:
        return sorted(self._list(f"{key}.part"))

    def _whole_size(self, key: str) -> Optional[int]:
        from botocore.exceptions import ClientError

        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def size(self, interview_id: str, name: str) -> Optional[int]:
        key = self._key(interview_id, name)
        whole = self._whole_size(key)
        if whole is not None:
            return whole
        parts = self._parts(key)
        return sum(size for _, size in parts) if parts else None

    def _get(self, key: str, start: int, end: int) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes={start}-{end}")["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()

    def read(self, interview_id: str, name: str, start: int = 0, end: Optional[int] = None) -> Iterator[bytes]:
        key = self._key(interview_id, name)
        whole = self._whole_size(key)
        pieces = [(key, whole)] if whole is not None else self._parts(key)  # a crashed call: stitch the parts
        offset = 0
        for piece, size in pieces:
            lo, hi = max(start, offset), min(offset + size - 1, end if end is not None else offset + size - 1)
            if size and lo <= hi:
                yield from self._get(piece, lo - offset, hi - offset)
            offset += size

    def recover_spool(self, older_than_s: float) -> list[str]:
        """Store the spool files no writer has touched for ``older_than_s`` (their process died
        mid-call) as the recordings' objects: the spool holds everything that was flushed, a
        superset of the uploaded parts. A live writer touches its files every few hundred ms."""
        root, now, recovered = self.spool.root, time.time(), []
        for folder in sorted(root.iterdir()) if root.is_dir() else []:
            files = [f for f in folder.iterdir() if f.is_file()] if folder.is_dir() else []
            if not files or any(now - f.stat().st_mtime < older_than_s for f in files):
                continue
            for f in files:
                if f.name.endswith(".tmp"):
                    f.unlink(missing_ok=True)
                else:
                    self.finish(folder.name, f.name, f)
            recovered.append(folder.name)
        return recovered

    def delete(self, interview_id: str) -> None:
        _check(interview_id)
        keys = [{"Key": k} for k, _ in self._list(f"{self.prefix}{interview_id}/")]
        for i in range(0, len(keys), 1000):  # the API's batch limit
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys[i : i + 1000], "Quiet": True})
        self.spool.delete(interview_id)


def s3_client(settings: Settings) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        region_name=settings.s3_region or None,
        config=Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=30),
    )


def open_store(settings: Settings) -> RecordingStore:
    """The store the settings describe. Built once per process and handed down (an S3 client is
    costly to build): preppal/process_context.py for the web process, preppal/cli.py for
    ``preppal worker`` and the analysis child, the export child for itself."""
    if settings.s3_bucket:
        spool = settings.data_dir / "recording-spool"
        return S3Store(s3_client(settings), settings.s3_bucket, settings.s3_prefix, spool)
    return LocalStore(settings.recordings_dir)
