"""The import rules of docs/architecture.md, checked by reading portal/'s source (nothing is imported).

Every `import` and `from … import` counts, at module level or inside a
function: an import deferred into a function still ties the two modules
together, it only hides the tie until run time.
"""
import ast
from collections import namedtuple
from pathlib import Path

PORTAL = Path(__file__).resolve().parent.parent / "portal"

# The floor everything stands on: top-level modules that import nothing but each other.
CORE = {"config", "db", "web", "errors", "pagination", "sqlfunc", "markdown", "csvexport", "uploads",
        "validators", "mail", "numbers", "permissions", "logs", "system", "schema", "knowledge_seed",
        "rendered", "markdown_guard", "assets", "compression", "formats", "memo"}
# Top-level modules that put the portal together: the app factory, the commands, the demo data
# and the reminder run. They may import anything; nothing below them imports them.
ENTRY_POINTS = {"portal", "portal.cli", "portal.demo", "portal.remind"}
# Packages every feature may use and which use no feature.
SERVICES = {"auth", "audit", "notify", "webhooks"}
# Read-only views over other features' data; only the factory registers them.
READ_ONLY = {"dashboard", "kpis", "api"}
# The read API serves the other read-only views' figures too (the PMO KPIs), so it may read them.
READS_READ_ONLY = {"api"}

Import = namedtuple("Import", "importer target name line")


def modules(root: Path = PORTAL) -> dict[str, Path]:
    """{dotted module name: file} for every module under `root` (a package's name is its __init__)."""
    found = {}
    for path in root.rglob("*.py"):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(mods: dict[str, Path]) -> list[Import]:
    """Every import of a module under the root, with the imported name when it is not a module itself."""
    root = next(name for name in mods if "." not in name)
    found = []
    for importer, path in mods.items():
        package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf8"), str(path))):
            if isinstance(node, ast.Import):
                found += [Import(importer, alias.name, None, node.lineno) for alias in node.names
                          if alias.name.split(".")[0] == root]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the package, one level up per extra dot
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                if base.split(".")[0] != root:
                    continue
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    found.append(Import(importer, sub, None, node.lineno) if sub in mods
                                 else Import(importer, base, alias.name, node.lineno))
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                found += _private_attribute(importer, path, node, mods)
    return found


def _private_attribute(importer, path, node, mods):
    """`services._store` where `services` names an imported module: the same reach as importing `_store`."""
    if not _is_private(node.attr):
        return []
    bound = _module_names(importer, path, mods)
    target = bound.get(node.value.id)
    return [Import(importer, target, node.attr, node.lineno)] if target else []


_BOUND_CACHE = {}


def _module_names(importer, path, mods) -> dict[str, str]:
    """{local name: module} for the names a module binds to whole modules (`from portal import uploads`)."""
    if importer not in _BOUND_CACHE:
        bound = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    if f"{node.module}.{alias.name}" in mods:
                        bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname and alias.name in mods:
                        bound[alias.asname] = alias.name
        _BOUND_CACHE[importer] = bound
    return _BOUND_CACHE[importer]


def _is_private(name: str | None) -> bool:
    return bool(name) and name.startswith("_") and not name.startswith("__")


def area(module: str) -> str:
    """What a module belongs to: its package under the root (`kb`), or itself when top-level (`db`, `portal`)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def is_package(module: str, mods) -> bool:
    return mods[module].name == "__init__.py"


def layer(module: str, mods) -> str:
    """core, service, feature or entry point (see docs/architecture.md)."""
    if module in ENTRY_POINTS:
        return "entry point"
    if module.count(".") == 1 and not is_package(module, mods):
        return "core" if area(module) in CORE else "unclassified"
    return "service" if area(module) in SERVICES else "feature"


def where(imp: Import) -> str:
    what = f"`{imp.name}` from `{imp.target}`" if imp.name else f"`{imp.target}`"
    return f"{imp.importer} (line {imp.line}) imports {what}"


def cycles(mods, found) -> list[tuple[list[str], list[Import]]]:
    """(the modules, one import path round them) for each group of modules that import each other.

    A package's __init__ importing its own modules is left out: that is how a
    feature registers its views on the blueprint the views import back.
    """
    edges = {}
    for imp in found:
        own_module = is_package(imp.importer, mods) and imp.target.startswith(imp.importer + ".")
        if imp.target in mods and imp.target != imp.importer and not own_module:
            edges.setdefault(imp.importer, {}).setdefault(imp.target, imp)
    groups = _strongly_connected(sorted(mods), {m: sorted(t) for m, t in edges.items()})
    return [(sorted(group), _path_round(min(group), set(group), edges))
            for group in groups if len(group) > 1]


def _strongly_connected(nodes, edges) -> list[list[str]]:
    """Tarjan's algorithm, iterative (no recursion limit to meet)."""
    index, low, stack, on_stack, groups, counter = {}, {}, [], set(), [], [0]
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(edges.get(start, ())))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, ()))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    groups.append(group)
    return groups


def _path_round(start, group, edges) -> list[Import]:
    """The shortest chain of imports from `start` back to itself inside `group` (breadth first)."""
    paths = {start: []}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target, imp in sorted(edges.get(node, {}).items()):
            if target == start:
                return paths[node] + [imp]
            if target in group and target not in paths:
                paths[target] = paths[node] + [imp]
                queue.append(target)
    return []


def _report(rule: str, why: str, problems: list[str]) -> str:
    return f"{rule}\nWhy: {why}\nSee docs/architecture.md.\n" + "\n".join(f"  - {p}" for p in problems)


MODS = modules()
IMPORTS = imports(MODS)


def test_every_top_level_module_has_a_layer():
    loose = sorted(m for m in MODS if layer(m, MODS) == "unclassified")
    assert not loose, _report(
        "Every top-level module in portal/ is either core (CORE) or an entry point (ENTRY_POINTS).",
        "the import rules below depend on the layer; a new module has to say which floor it lives on.",
        [f"{m} is in neither list of tests/test_architecture.py" for m in loose])


def test_no_module_uses_another_packages_private_names():
    problems = [f"{where(imp)}, a private name of {area(imp.target)}" for imp in IMPORTS
                if area(imp.importer) != area(imp.target)
                and (_is_private(imp.name) or any(_is_private(p) for p in imp.target.split(".")))]
    assert not problems, _report(
        "Rule 1: a feature never imports another feature's (or the core's) private, underscored names.",
        "an underscore means 'may change without notice'; reaching for it ties two packages to each other's "
        "insides. Make it public where it belongs, or move it down into the core.",
        problems)


def test_only_the_factory_imports_the_read_only_views():
    problems = [f"{where(imp)}; only portal/__init__.py may" for imp in IMPORTS
                if area(imp.target) in READ_ONLY and area(imp.importer) != area(imp.target)
                and imp.importer != "portal" and area(imp.importer) not in READS_READ_ONLY]
    assert not problems, _report(
        "Rule 2: nothing imports portal.dashboard or portal.kpis except the app factory.",
        "they are read-only views over every feature's data, the top floor; anything that imports them "
        "makes a loop through all the features they read. Shared helpers belong in the core or in the "
        "feature that owns the data.",
        problems)


def test_services_and_core_import_no_feature():
    allowed = {"core": {"core"}, "service": {"core", "service"}}
    problems = []
    for imp in IMPORTS:
        mine = layer(imp.importer, MODS)
        theirs = layer(imp.target, MODS) if imp.target in MODS else "feature"
        if mine in allowed and theirs not in allowed[mine]:
            problems.append(f"{where(imp)}: {area(imp.importer)} is {mine}, {area(imp.target)} is {theirs}")
    assert not problems, _report(
        "Rule 3: the core imports only the core; auth, audit, notify and webhooks import only the core and each other.",
        "every feature stands on them; if they reach up into a feature, changing that feature can break "
        "sign-in, the audit trail or every notice, and the imports go round in circles. Pass what they "
        "need in (an argument, the app config) instead.",
        problems)


def test_nothing_below_imports_the_entry_points():
    problems = [f"{where(imp)}, an entry point" for imp in IMPORTS
                if imp.target in ENTRY_POINTS and imp.importer not in ENTRY_POINTS]
    assert not problems, _report(
        "Rule 4: the factory, cli, demo and remind are imported by no feature, service or core module.",
        "they import every feature to put the portal together; importing them back from below is a "
        "loop through the whole portal. Let the factory hand the value down through app.config.",
        problems)


def test_no_import_cycles():
    problems = [f"{', '.join(group)} import each other, for one: "
                + " -> ".join(f"{imp.importer} (line {imp.line})" for imp in path) + f" -> {path[0].importer}"
                for group, path in cycles(MODS, IMPORTS)]
    assert not problems, _report(
        "Rule 5: no two modules import each other, directly or round a longer loop (imports inside "
        "functions count).",
        "a loop makes what works depend on which module happens to be imported first, and it hides the "
        "real layering. Move the piece both need into the lower module, or into a module of its own.",
        problems)


def test_the_checker_sees_imports_inside_functions_and_private_reach(tmp_path):
    """The rules above are only as good as the reading of the source: try it on a made-up package."""
    root = tmp_path / "demoapp"
    (root / "shop").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "shop" / "__init__.py").write_text("from demoapp.shop import views\n")
    (root / "shop" / "views.py").write_text("from demoapp.shop import models\n")
    (root / "shop" / "models.py").write_text("def f():\n    from demoapp.shop.views import g\n")
    (root / "tools.py").write_text("from demoapp.shop import models\nmodels._secret()\n")
    mods = modules(root)
    found = imports(mods)
    loop = cycles(mods, found)
    assert [[(i.importer, i.target) for i in path] for _group, path in loop] == [
        [("demoapp.shop.models", "demoapp.shop.views"), ("demoapp.shop.views", "demoapp.shop.models")]]
    assert Import("demoapp.tools", "demoapp.shop.models", "_secret", 2) in found
