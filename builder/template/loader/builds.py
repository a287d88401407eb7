"""``build`` blocks: name and description, the sources they use (with in-build overrides), their
provisioners, error-cleanup provisioner and post-processor chains."""

from __future__ import annotations

from builder.template.evaluator import EvalError, evaluate, fail, to_str
from builder.template.loader.body import HBlock
from builder.template.loader.checks import check_attrs, check_labels, ignore_hcp_registry
from builder.template.loader.components import make_component
from builder.template.loader.context import LoadState
from builder.template.loader.sources import Sources
from builder.template.model import BuildSpec


class BuildDecoder:
    """Turns the ``build`` blocks of one load into :class:`BuildSpec` objects."""

    def __init__(self, st: LoadState, sources: Sources):
        self.st = st
        self.sources = sources

    def decode_all(self) -> list[BuildSpec]:
        builds: list[BuildSpec] = []
        for i, b in enumerate(self.st.blocks("build")):
            check_labels(self.st.col, b, 0, "")
            spec = self._decode(b, i)
            if spec is not None:
                builds.append(spec)
        return builds

    def _decode(self, b: HBlock, idx: int) -> BuildSpec | None:
        body = b.body
        check_attrs(
            self.st.col,
            body,
            ("name", "description", "sources"),
            (
                "source",
                "provisioner",
                "error-cleanup-provisioner",
                "post-processor",
                "post-processors",
                "hcp_packer_registry",
            ),
        )
        scope = self.st.build_scope()
        name = description = ""
        for akey in ("name", "description"):
            if akey in body.attrs:
                try:
                    val = evaluate(body.attrs[akey].expr, scope) if not self.st.syntax_only else ""
                    val = to_str(val, body.attrs[akey].expr.loc) if val is not None else ""
                except EvalError as e:
                    self.st.col.extend(e.diags)
                    val = ""
                if akey == "name":
                    name = val
                else:
                    description = val
        spec = BuildSpec(name, description, b.loc, [])
        used: set[str] = set()
        sources_attr = body.attrs.get("sources")
        if sources_attr is not None:
            refs = self.sources.refs(sources_attr.expr)
            for ref, loc in refs:
                key = self.sources.resolve(ref, loc)
                if key is None:
                    continue
                spec.sources.append(self.sources.make(key, key[1], None, loc))
                used.add(f"{key[0]}.{key[1]}")
        for sb in body.blocks_of("source"):
            if not check_labels(self.st.col, sb, 1, "source reference"):
                continue
            key = self.sources.resolve(sb.labels[0], sb.label_locs[0] if sb.label_locs else sb.loc)
            if key is None:
                continue
            new_name = key[1]
            if "name" in sb.body.attrs:
                try:
                    nv = self.st.const(sb.body.attrs["name"].expr)
                    if not isinstance(nv, str) or not nv:
                        raise fail(
                            "Invalid source name",
                            "name must be a non-empty string.",
                            sb.body.attrs["name"].expr.loc,
                        )
                    new_name = nv
                except EvalError as e:
                    self.st.col.extend(e.diags)
            full = f"{key[0]}.{new_name}"
            if full in used:
                self.st.col.err(
                    "Duplicate source in build",
                    f'The source "{full}" is used more than once in this build; give the in-build '
                    "source block a distinct name.",
                    sb.loc,
                )
                continue
            used.add(full)
            orig = self.sources.blocks[key]
            for a in sb.body.attrs.values():
                if a.name != "name" and a.name in orig.body.attrs:
                    prev = orig.body.attrs[a.name].loc
                    self.st.col.err(
                        "Duplicate argument",
                        f'The argument "{a.name}" is already set in source "{key[0]}.{key[1]}" at '
                        f"{prev.filename}:{prev.line},{prev.col}. An in-build source block may only set "
                        "arguments that the top-level source block does not set.",
                        a.loc,
                    )
            spec.sources.append(self.sources.make(key, new_name, sb, sb.loc))
        for pb in body.blocks:
            if pb.type in ("provisioner", "error-cleanup-provisioner"):
                comp = make_component(self.st, pb, pb.type, spec)
                if comp is None:
                    continue
                if pb.type == "provisioner":
                    spec.provisioners.append(comp)
                elif spec.error_cleanup is not None:
                    self.st.col.err(
                        "Duplicate error-cleanup-provisioner",
                        "Only one error-cleanup-provisioner block is allowed in a build.",
                        pb.loc,
                    )
                else:
                    spec.error_cleanup = comp
            elif pb.type == "post-processor":
                comp = make_component(self.st, pb, "post-processor", spec)
                if comp is not None:
                    spec.post_processor_chains.append([comp])
            elif pb.type == "post-processors":
                check_labels(self.st.col, pb, 0, "")
                check_attrs(self.st.col, pb.body, (), ("post-processor",))
                chain = []
                for ppb in pb.body.blocks_of("post-processor"):
                    comp = make_component(self.st, ppb, "post-processor", spec)
                    if comp is not None:
                        chain.append(comp)
                if chain:
                    spec.post_processor_chains.append(chain)
            elif pb.type == "hcp_packer_registry":
                ignore_hcp_registry(self.st, pb)
        return spec
