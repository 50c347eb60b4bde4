"""The Jinja sandbox every template runs in, with limits on what it may cost.

Target sentences (``cau``) are written by clerks and a ``templates/`` folder beside
``content/`` holds the clerk's own templates: neither is trusted. Both run in
:class:`LimitedSandbox`, Jinja's SandboxedEnvironment (no attribute starting with
``_``, no Python internals) plus the limits of limits.py, each refused with a
Vietnamese message:

- a template's output, and any text or list it builds (``*``, ``+``, ``~``,
  ``join``, ``replace``, ``center``…), at most :data:`MAX_TEXT` characters/items;
- ``range`` at most 100 000 items (Jinja's own limit), every ``for`` loop of one
  render together at most :data:`MAX_LOOPS` turns;
- widths and precisions in ``format`` / ``%`` at most :data:`MAX_WIDTH`;
  powers at most :data:`MAX_POWER_BITS` bits;
- :data:`CPU_SECONDS` of CPU time and :data:`MEMORY_HEADROOM` bytes of memory
  per render (the memory through ``RLIMIT_AS``, the time through a profiling
  timer, so even a loop the other limits miss is stopped).
"""

from __future__ import annotations

import math
import re
import resource
import signal
import string
import threading
import time
from contextlib import contextmanager
from functools import update_wrapper

from jinja2 import TemplateError, nodes
from jinja2.sandbox import SandboxedEnvironment, SandboxedFormatter
from jinja2.visitor import NodeTransformer

from .limits import (CPU_SECONDS, MAX_LOOPS, MAX_POWER_BITS, MAX_TEXT, MAX_WIDTH,
                     MEMORY_HEADROOM)


class TemplateLimit(TemplateError):
    """A template went past one of the limits; the message says which, in Vietnamese."""

    def __init__(self, message: str):
        super().__init__(message)


def _too_long(what: str) -> TemplateLimit:
    return TemplateLimit(f"{what} dài quá giới hạn {MAX_TEXT:,} ký tự".replace(",", "."))


# -- the budget of one render ------------------------------------------------------

class _Budget:
    def __init__(self):
        self.loops = 0
        self.deadline = time.process_time() + CPU_SECONDS

    def tick(self) -> None:
        self.loops += 1
        if self.loops > MAX_LOOPS:
            raise TemplateLimit(f"các vòng lặp chạy quá {MAX_LOOPS:,} lượt".replace(",", "."))
        if self.loops % 1024 == 0:
            self.check_time()

    def check_time(self) -> None:
        if time.process_time() > self.deadline:
            raise _timeout()


def _timeout() -> TemplateLimit:
    return TemplateLimit(f"mẫu chạy quá {CPU_SECONDS:g} giây; hãy bỏ vòng lặp hoặc phép "
                         "tính quá lớn")


_active: _Budget | None = None


def _tick() -> None:
    if _active is not None:
        _active.tick()


def _check_time() -> None:
    if _active is not None:
        _active.check_time()


@contextmanager
def _armed():
    """Limits for one render: a fresh budget, a CPU timer, a memory ceiling. Nested
    renders (a ``cau`` while a template runs) share the outer budget."""
    global _active
    if _active is not None:
        yield
        return
    _active = _Budget()
    main = threading.current_thread() is threading.main_thread()
    previous_handler = None
    if main:
        def on_timer(signum, frame):
            raise _timeout()
        previous_handler = signal.signal(signal.SIGPROF, on_timer)
        signal.setitimer(signal.ITIMER_PROF, CPU_SECONDS + 0.5)
    limits = _memory_ceiling()
    try:
        yield
    except MemoryError:
        raise TemplateLimit("mẫu dùng quá nhiều bộ nhớ (quá "
                            f"{MEMORY_HEADROOM // 2**20} MiB)") from None
    except RecursionError:
        raise TemplateLimit("mẫu gọi lại chính nó quá nhiều lần (macro hoặc vòng lặp "
                            "đệ quy không dừng)") from None
    finally:
        if main:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, previous_handler or signal.SIG_DFL)
        if limits is not None:
            resource.setrlimit(resource.RLIMIT_AS, limits)
        _active = None


def _memory_ceiling():
    """Lower the soft address-space limit to what the process uses now plus the
    headroom; returns the limits to restore (None where this cannot be done)."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        with open("/proc/self/statm") as handle:
            used = int(handle.read().split()[0]) * resource.getpagesize()
        ceiling = used + MEMORY_HEADROOM
        if soft != resource.RLIM_INFINITY and soft <= ceiling:
            return None
        if hard != resource.RLIM_INFINITY and hard < ceiling:
            return None
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
        return soft, hard
    except (OSError, ValueError):
        return None


# -- checked operations ----------------------------------------------------------

def _length(value) -> int:
    try:
        return len(value)
    except TypeError:
        return 0


def _check_size(value, what: str = "văn bản tạo ra"):
    if isinstance(value, (str, list, tuple, bytes)) and len(value) > MAX_TEXT:
        raise _too_long(what)
    return value


def _multiply(left, right):
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, (str, list, tuple)) and isinstance(times, int) \
                and not isinstance(times, bool):
            if len(seq) * max(times, 0) > MAX_TEXT:
                raise _too_long("chuỗi lặp lại")
    return left * right


def _power(left, right):
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        base = abs(left)
        if base > 1 and right > 0 and right * math.log2(base) > MAX_POWER_BITS:
            raise TemplateLimit(f"lũy thừa quá lớn (quá {MAX_POWER_BITS} bit)")
    return left ** right


def _add(left, right):
    if isinstance(left, (str, list, tuple)) and isinstance(right, type(left)):
        if len(left) + len(right) > MAX_TEXT:
            raise _too_long("văn bản nối")
    return left + right


_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_percent(fmt) -> None:
    if not isinstance(fmt, str):
        return
    for width, precision in _PERCENT.findall(fmt):
        for number in (width, precision):
            if number == "*" or (number and int(number) > MAX_WIDTH):
                raise TemplateLimit(f"độ rộng trong định dạng '%' quá {MAX_WIDTH}")


def _modulo(left, right):
    _check_percent(left)
    return _check_size(left % right)


_SPEC_NUMBERS = re.compile(r"\d+")


def _check_spec(spec: str) -> None:
    if any(int(n) > MAX_WIDTH for n in _SPEC_NUMBERS.findall(spec or "")):
        raise TemplateLimit(f"độ rộng trong định dạng (format) quá {MAX_WIDTH}")


class _LimitedFormatter(SandboxedFormatter):
    def format_field(self, value, format_spec: str):
        _check_spec(format_spec)
        return super().format_field(value, format_spec)


def _joined(items) -> str:
    """``a ~ b``: Jinja's concatenation, checked."""
    parts = [str(item) for item in items]
    if sum(map(len, parts)) > MAX_TEXT:
        raise _too_long("văn bản nối")
    return "".join(parts)


class _Counted:
    """An iterable whose every turn counts against the render's loop budget."""

    def __init__(self, iterable):
        self.iterable = iterable

    def __len__(self):
        return len(self.iterable)

    def __iter__(self):
        for item in self.iterable:
            _tick()
            yield item


def _growing_method(obj, name: str, method):
    """``str`` methods whose result can be far longer than their inputs."""
    def checked(*args, **kwargs):
        if name in ("center", "ljust", "rjust", "zfill") and args:
            if isinstance(args[0], int) and args[0] > MAX_TEXT:
                raise _too_long("văn bản căn lề")
        elif name == "expandtabs":
            size = args[0] if args else kwargs.get("tabsize", 8)
            if isinstance(size, int) and size * obj.count("\t") > MAX_TEXT:
                raise _too_long("văn bản")
        elif name == "replace" and len(args) >= 2:
            old, new = args[0], args[1]
            count = obj.count(old) if old else len(obj) + 1
            if len(obj) + count * max(len(new) - len(old), 0) > MAX_TEXT:
                raise _too_long("văn bản thay thế")
        elif name == "join" and args:
            items = list(args[0])
            total = sum(_length(i) for i in items) + len(obj) * max(len(items) - 1, 0)
            if total > MAX_TEXT:
                raise _too_long("văn bản nối")
            args = (items,) + args[1:]
        return method(*args, **kwargs)
    return update_wrapper(checked, method)


_GROWING = {"center", "ljust", "rjust", "zfill", "expandtabs", "replace", "join"}


class _Limiter(NodeTransformer):
    """Rewrites a parsed template so loops and ``~`` go through checked helpers."""

    def visit_For(self, node: nodes.For):
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, "_vb_vong", [], [], None, None,
                                 lineno=node.iter.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat):
        self.generic_visit(node)
        return nodes.Filter(nodes.List(node.nodes, lineno=node.lineno), "_vb_noi", [], [],
                            None, None, lineno=node.lineno)


class LimitedSandbox(SandboxedEnvironment):
    """SandboxedEnvironment with the limits of the module docstring."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.binop_table.update({"*": _multiply, "**": _power, "+": _add, "%": _modulo})
        self.globals.pop("lipsum", None)  # makes text of any size on request
        self.filters.update(_vb_vong=_Counted, _vb_noi=_joined)
        base = dict(self.filters)

        def checked(name, check):
            original = base[name]
            def filter_(*args, **kwargs):
                check(*args, **kwargs)
                return _check_size(original(*args, **kwargs))
            return update_wrapper(filter_, original)

        def width(value, width=80, *args, **kwargs):
            if isinstance(width, int) and width > MAX_TEXT:
                raise _too_long("văn bản căn lề")

        def fmt(value, *args, **kwargs):
            _check_percent(value)

        def count(value, count=2, fill_with=None, *args, **kwargs):
            if isinstance(count, int) and count > MAX_TEXT:
                raise _too_long("danh sách")

        def nothing(*args, **kwargs):
            pass

        self.filters.update(
            center=checked("center", width), indent=checked("indent", width),
            format=checked("format", fmt), slice=checked("slice", count),
            batch=checked("batch", count), join=checked("join", nothing),
            replace=checked("replace", _replace_check),
        )

    @staticmethod
    def concat(parts) -> str:
        """Joins the output of a macro, a block or a ``set`` block: checked too."""
        parts = list(parts)
        if sum(map(len, parts)) > MAX_TEXT:
            raise _too_long("kết quả của macro hoặc khối")
        return "".join(parts)

    def _parse(self, source, name, filename):
        # Jinja's parser, then the rewrite that routes loops and ``~`` through
        # the checked helpers (the code generator then compiles them as usual).
        return _Limiter().visit(super()._parse(source, name, filename))

    def getattr(self, obj, attribute):
        _check_time()
        value = super().getattr(obj, attribute)
        if isinstance(obj, str) and attribute in _GROWING and callable(value):
            return _growing_method(obj, attribute, value)
        return value

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
        _check_time()
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value):
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        f_self, is_map = value.__self__, value.__name__ == "format_map"
        formatter = _LimitedFormatter(self)

        def checked(*args, **kwargs):
            if is_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() cần đúng một đối số")
                args, kwargs = (), args[0]
            for _, _, spec, _ in string.Formatter().parse(f_self):
                _check_spec(spec or "")
            return _check_size(type(f_self)(formatter.vformat(f_self, args, kwargs)))
        return update_wrapper(checked, value)

    def render(self, template, values) -> str:
        """Render ``template`` within the limits; its output is counted as it is made."""
        with _armed():
            out, total = [], 0
            for chunk in template.generate(values):
                total += len(chunk)
                if total > MAX_TEXT:
                    raise _too_long("kết quả của mẫu")
                out.append(chunk)
            return "".join(out)


def _replace_check(value, old="", new="", count=None, *args, **kwargs):
    text, old, new = str(value), str(old), str(new)
    times = text.count(old) if old else len(text) + 1
    if len(text) + times * max(len(new) - len(old), 0) > MAX_TEXT:
        raise _too_long("văn bản thay thế")
