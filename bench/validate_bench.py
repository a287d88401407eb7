#!/usr/bin/env python3
"""Benchmark: validating a 20-file directory template.

Generates a bento-style directory of 20 ``.pkr.hcl`` files (variables, locals with
conditionals/for-expressions/templatefile, 6 sources, builds with provisioners and
post-processor chains) plus a var file, then times:

* ``load()``            the template engine in-process (parse + evaluate + validate pass),
                        AST cache disabled;
* ``load() warm``       the same, second call in the same process (parser tables loaded);
* ``pybuild validate``  the whole CLI as a fresh process (interpreter start-up included),
                        with the compiled-AST cache (builder/template/cache.py) warm and cold,
                        and with .pyc byte-code caching on (as in a normal install);
* ``packer validate``   **baseline**: Packer 1.6.6 (Debian package) on the same directory,
                        when ``packer`` is on PATH.

Target: ``pybuild validate`` under 0.5 s. Prints a table of the median over N runs.

    python bench/validate_bench.py [--runs 7] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

N_FILES = 20
DISTROS = ["rocky9", "alma9", "centos9", "debian12", "ubuntu2404", "fedora40"]


def generate(d: str) -> None:
    os.makedirs(os.path.join(d, "http"), exist_ok=True)
    with open(os.path.join(d, "http", "ks.pkrtpl.hcl"), "w") as fh:
        fh.write("lang en_US.UTF-8\nrootpw PASSWORD\n%packages\nPACKAGES\n%end\n")
    files: dict[str, str] = {}
    files["variables.pkr.hcl"] = "".join(
        f'variable "v{i}" {{\n  type    = string\n  default = "value-{i}"\n}}\n\n' for i in range(30)
    ) + (
        'variable "password" {\n  type      = string\n  default   = "packer-secret"\n  sensitive = true\n}\n'
        'variable "cpus" {\n  type    = number\n  default = 2\n'
        '  validation {\n    condition     = var.cpus > 0\n    error_message = "The cpus value must be positive."\n  }\n}\n'
        'variable "packages" {\n  type    = list(string)\n  default = ["vim", "tmux", "git"]\n}\n'
    )
    for i, distro in enumerate(DISTROS):
        files[f"source-{distro}.pkr.hcl"] = f"""
locals {{
  {distro}_iso  = "https://mirror.example.org/{distro}/${{var.v{i}}}/install.iso"
  {distro}_boot = [for s in ["<esc>", "<wait>", "linux ks=http://{{{{ .HTTPIP }}}}:{{{{ .HTTPPort }}}}/ks.cfg"] : s]
  {distro}_mem  = var.cpus > 4 ? 8192 : (var.cpus > 2 ? 4096 : 2048)
}}

source "null" "{distro}" {{
  communicator = "none"
}}
"""
    for i in range(N_FILES - len(files) - 2):
        files[f"locals-{i:02d}.pkr.hcl"] = f"""
locals {{
  name_{i}     = "image-${{var.v{i % 30}}}-{i}"
  tags_{i}     = {{ for k in ["os", "team", "env"] : k => upper("${{k}}-{i}") }}
  list_{i}     = concat([for n in range(5) : n * {i}], [length(local.name_{i})])
  nested_{i}   = try(local.tags_{i}["os"], "none") == "OS-{i}" ? "match" : "nomatch"
  joined_{i}   = join(",", [for k, v in local.tags_{i} : "${{k}}=${{v}}"])
}}
"""
    files["kickstart.pkr.hcl"] = """
locals {
  # file()+replace() rather than templatefile(): the baseline, Packer 1.6.6, predates templatefile
  kickstart = replace(replace(file("${path.root}/http/ks.pkrtpl.hcl"), "PASSWORD", var.password),
  "PACKAGES", join("\\n", var.packages))
}
"""
    build_sources = ", ".join(f'"source.null.{d}"' for d in DISTROS)
    files["build.pkr.hcl"] = f"""
build {{
  name    = "bench"
  sources = [{build_sources}]

  provisioner "shell-local" {{
    inline = ["echo ${{source.name}} ${{local.name_1}}", "echo {{{{ .HTTPIP }}}}"]
  }}
  provisioner "shell-local" {{
    only   = ["null.rocky9"]
    inline = ["echo rocky only"]
  }}
  post-processor "manifest" {{
    output = "manifest-${{source.name}}.json"
  }}
  post-processors {{
    post-processor "shell-local" {{
      inline = ["echo ${{source.name}}"]
    }}
    post-processor "checksum" {{
      checksum_types = ["sha256"]
    }}
  }}
}}
"""
    assert len(files) == N_FILES, len(files)
    for name, text in files.items():
        with open(os.path.join(d, name), "w") as fh:
            fh.write(text.lstrip("\n"))
    with open(os.path.join(d, "bench.pkrvars.hcl"), "w") as fh:
        fh.write('v1 = "from-var-file"\ncpus = 4\n')


CPU: dict[str, float] = {}


def median_time(fn, runs: int, label: str = "") -> float:
    """Median wall time; the median CPU time (user+sys, children included) goes to CPU[label]."""
    times, cpus = [], []
    for _ in range(runs):
        r0, c0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        r1, c1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
                    + (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime))
    if label:
        CPU[label] = statistics.median(cpus)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--keep", help="generate the template into this directory and keep it")
    args = ap.parse_args()
    d = args.keep or tempfile.mkdtemp(prefix="pybuild-bench-")
    generate(d)
    var_file = os.path.join(d, "bench.pkrvars.hcl")
    rows: list[tuple[str, float | None, str]] = []
    try:
        os.environ["PYBUILD_HCL_CACHE"] = "0"  # in-process rows measure parsing, not the cache
        t0 = time.perf_counter()
        from builder.template.loader import load

        load(d, var_files=[var_file], env={})
        rows.append(("load() cold (first call, imports included)", time.perf_counter() - t0, ""))
        label = "load() warm (parser tables loaded, no AST cache)"
        rows.append((label, median_time(lambda: load(d, var_files=[var_file], env={}), args.runs, label), ""))
        del os.environ["PYBUILD_HCL_CACHE"]

        cache_dir = tempfile.mkdtemp(prefix="pybuild-bench-cache-")
        # byte-code caching as in a normal install (this sandbox sets PYTHONDONTWRITEBYTECODE);
        # the .pyc files go to a private prefix, not into the work tree
        base_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        base_env["PYTHONPYCACHEPREFIX"] = os.path.join(cache_dir, "pycache")

        def cli(cold: bool = False) -> None:
            env = dict(base_env, PYBUILD_HCL_CACHE_DIR=os.path.join(cache_dir, "ast"))
            if cold:
                shutil.rmtree(os.path.join(cache_dir, "ast"), ignore_errors=True)
            subprocess.run([sys.executable, "-m", "builder.cli", "validate", "-var-file", var_file, d],
                           check=True, capture_output=True, cwd=ROOT, env=env)

        try:
            cli()
            label = "pybuild validate (fresh process, AST cache warm)"
            rows.append((label, median_time(cli, args.runs, label), "target < 0.5 s"))
            label = "pybuild validate (fresh process, AST cache cold)"
            rows.append((label, median_time(lambda: cli(cold=True), args.runs, label), "first run after an edit"))
            label = "python -c pass (interpreter start-up floor)"
            rows.append((label, median_time(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True,
                                                                   env=base_env),
                                            args.runs, label), ""))
        except subprocess.CalledProcessError as e:
            rows.append(("pybuild validate (fresh process)", None, "failed: " + e.stderr.decode()[-200:]))
        finally:
            shutil.rmtree(cache_dir, ignore_errors=True)
        packer = shutil.which("packer")
        if packer:
            def pk() -> None:
                subprocess.run([packer, "validate", f"-var-file={var_file}", d], check=True, capture_output=True,
                               env={**os.environ, "CHECKPOINT_DISABLE": "1"})
            try:
                pk()
                out = subprocess.run([packer, "version"], capture_output=True, text=True).stdout.split("\n")[0]
                label = f"baseline: packer validate ({out})"
                rows.append((label, median_time(pk, args.runs, label), "baseline"))
            except subprocess.CalledProcessError as e:
                rows.append(("baseline: packer validate", None, "failed: " + e.stdout.decode()[-200:]))
        else:
            rows.append(("baseline: packer validate", None, "packer not on PATH"))
    finally:
        if not args.keep:
            shutil.rmtree(d, ignore_errors=True)
    load_avg = os.getloadavg()[0]
    print(f"validate benchmark: {N_FILES}-file directory template, median of {args.runs} runs "
          f"(load average {load_avg:.1f} on {os.cpu_count()} CPUs; CPU = user+sys, robust to a busy machine)")
    print(f"{'what':<56} {'wall s':>8} {'CPU s':>8}  note")
    print("-" * 92)
    for what, secs, note in rows:
        w = f"{secs:8.3f}" if secs is not None else f"{'-':>8}"
        c = f"{CPU[what]:8.3f}" if what in CPU else f"{'-':>8}"
        print(f"{what:<56} {w} {c}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
