"""How much the file reader takes at most; read at call time (tests lower them)."""

MAX_FILE_BYTES = 50 * 1024 * 1024  # 50 MiB, refused before the file is read
MAX_ROWS = 1_000_000  # data rows
MAX_COLUMNS = 200
MAX_XLSX_UNPACKED_BYTES = 512 * 1024 * 1024  # what a workbook's zip holds once unpacked ("zip bomb")


def size_text(n: int) -> str:
    """A size as people read it: ``1.5 MB`` or ``800 bytes``."""
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n:,} bytes"
