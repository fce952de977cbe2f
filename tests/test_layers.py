"""The layers run one way: each package imports only from its own layer or the ones below it,
and no module imports itself back through others (imports inside functions count too)."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Lowest first. Above them all (free to import any): conformance's tests, bench, mutants, examples, tests.
LAYERS = (
    ("model",),                 # the vocabulary: cases, spaces, examples, rows, selection by name
    ("findings",),              # the table of findings, exclusions and known failures (data)
    ("strategies",),            # Hypothesis: drawing cases and examples
    ("reference", "targets"),   # computing the expected output; which TVM targets exist here
    ("kernels",),               # the kernels under test
    ("runner",),                # building and calling them
    ("conformance",),           # rows and checks, the matrix's pytest plugin
    ("reports",),               # the write-up listener, the run's results, the report and its plugin
)
LAYER_OF = {package: level for level, packages in enumerate(LAYERS) for package in packages}


def first_party_imports(path: Path) -> set[str]:
    """The dwconf modules `path` imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
        found.update(n for n in names if n.split(".")[0] in LAYER_OF)
    return found


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def graph() -> dict[str, set[str]]:
    modules = {}
    for package in LAYER_OF:
        for path in (ROOT / package).rglob("*.py"):
            if not path.name.startswith("test_") and "repro.py" != path.name:
                modules[module_name(path)] = first_party_imports(path)
    return modules


def test_no_package_imports_a_layer_above_it():
    upward = [(module, imported) for module, imports in graph().items() for imported in imports
              if LAYER_OF[imported.split(".")[0]] > LAYER_OF[module.split(".")[0]]]
    assert not upward, upward


def test_no_import_cycles():
    modules = graph()
    imports = {m: {i if i in modules else i.rsplit(".", 1)[0] for i in deps} & modules.keys()
               for m, deps in modules.items()}

    def reaches(start, goal, seen):
        return any(n == goal or (n not in seen and not seen.add(n) and reaches(n, goal, seen))
                   for n in imports[start])

    cycles = [m for m in modules if reaches(m, m, set())]
    assert not cycles, cycles
