"""No module of the project imports itself back through others, inside functions included (grimp reads every
import statement, as import-linter does; `lint-imports` checks the direction between apps)."""

import grimp

PACKAGES = ("core", "brands", "merchants", "takedowns", "reports", "config")


def _cycles(graph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm, iterative)."""
    imports = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], 0
    for root in imports:
        if root in index:
            continue
        work = [(root, iter(imports[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(imports[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
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
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_the_project_has_no_import_cycles():
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False)
    assert _cycles(graph) == []


def test_it_would_see_a_cycle():
    graph = grimp.ImportGraph()
    for module in ("a", "a.x", "a.y"):
        graph.add_module(module)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    assert _cycles(graph) == [["a.x", "a.y"]]
