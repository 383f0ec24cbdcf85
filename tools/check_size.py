"""Check that the addon's Python stays readable in one sitting.

Run by ``./dev lint``: no Python file of the addon is longer than
``MAX_FILE_LINES`` lines and no function or method longer than
``MAX_FUNCTION_LINES`` (decorators excluded). Prints each one over; exits 1
if there is any.
"""

import ast
import sys
from pathlib import Path

ADDON = Path(__file__).resolve().parent.parent / "lead_pool_policy"
MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80


def problems(root=ADDON):
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(root.parent)
        lines = source.count("\n")
        if lines > MAX_FILE_LINES:
            yield f"{name}: {lines} lines (at most {MAX_FILE_LINES})"
        for node in ast.walk(ast.parse(source, str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    yield (
                        f"{name}:{node.lineno}: {node.name} is {length} lines "
                        f"(at most {MAX_FUNCTION_LINES})"
                    )


def main():
    found = list(problems())
    for problem in found:
        print(problem)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
