"""`portal kb check`: problems in the knowledge folder (front matter, broken links)."""
from portal.kb import files
from portal.markdown import render_article


def check_folder(root=None) -> list[str]:
    """One line per problem found: missing/malformed front matter, broken or escaping links."""
    root = root or files.knowledge_root()
    on_disk = files.scan(root)
    problems = []
    for path in sorted(on_disk):
        full = files.safe_path(path, root)
        parsed = files.parse(files.read_text(full), path)
        problems += [f"{path}: warning: {w}" for w in parsed.warnings]
        result = render_article(parsed.body, path, lambda target: "/" + target)
        for target in result.broken:
            problems.append(f"{path}: broken link {target!r} leaves the knowledge folder")
        for target in result.links:
            found = files.safe_path(target, root)
            if found is None or not found.exists():
                problems.append(f"{path}: broken link to {target!r}")
    return problems
