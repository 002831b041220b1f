"""Time the Markdown renderers on the pathological corpus: `python scripts/markdown_bench.py [SIZE] [N]`.

Prints the N slowest inputs of about SIZE characters (CPU seconds) for the renderer of
text typed by users and for the knowledge-base article renderer.
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.markdown import render_article, render_markdown
from tests.markdown_corpus import corpus


def slowest(render, size: int, count: int) -> list[tuple[float, str]]:
    """(CPU seconds, input name) of the `count` slowest corpus inputs of `size` characters."""
    times = []
    for name, text in corpus(size):
        start = time.process_time()
        render(text)
        times.append((time.process_time() - start, name))
    return sorted(times, reverse=True)[:count]


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    for label, render in (("user text", render_markdown), ("article", render_article)):
        print(f"{label}, {size:,} characters:")
        for seconds, name in slowest(render, size, count):
            print(f"  {seconds:7.3f} s  {name}")
