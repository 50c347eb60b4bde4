"""Every limit vanban puts on its input, in one place (the README lists them).

A file, a value or a template past one of these is that document's problem, with
a message saying which limit and where; nothing is cut short silently.
"""

# Content files (source.py) and batch tables (batch.py).
MAX_YAML_BYTES = 2 * 2**20          # a plan is some 10 KB
MAX_TABLE_BYTES = 20 * 2**20        # a CSV/XLSX of every commune of a province is < 1 MB
MAX_TABLE_ROWS = 20_000
MAX_DEPTH = 40                      # nesting of mappings and lists in one YAML file
MAX_NODES = 200_000                 # values in one file, aliases (*) counted as often as used

# Values.
MAX_NUMBER = 10**15                 # |gia_tri|, results, computed numbers: below 10^15
MAX_NAME_CHARS = 120                # an output file name (ten_tep, a batch row's name)
MAX_NAME_BYTES = 200                # … in UTF-8 (file systems allow 255)

# Templates and target sentences (sandbox.py).
MAX_TEXT = 2_000_000                # characters (or items) of any text a template builds
MAX_LOOPS = 1_000_000               # turns of every ``for`` loop in one render
MAX_WIDTH = 1_000                   # width/precision in ``format`` and ``%``
MAX_POWER_BITS = 4_096              # size of a power's result
CPU_SECONDS = 3.0                   # CPU time of one render
MEMORY_HEADROOM = 384 * 2**20       # memory one render may add to the process
