import PPLDiagnostics
import PPLIR

/// The dependency graph of a model in Graphviz dot, before and after an intervention, with the
/// edges the surgery cuts drawn dashed red (`ppl ir --graph`).
///
/// Latent sites are ellipses, observed ones shaded; an intervened site becomes a box labelled
/// with its `do(...)`, keeping its outgoing edges. A hard intervention cuts every incoming edge;
/// one on an element (`z[3]` of `z[*]`) cuts them for that element only (dashed orange); a
/// functional or stochastic intervention adds edges from what its value reads (blue).
/// Jacobs, Kissinger & Zanasi (2019) draw the same surgery on string diagrams.
public enum InterventionGraph {
    /// The graph of `module` alone, or the before/after pair when there are interventions.
    public static func dot(_ module: Module, interventions: [Intervention] = []) throws -> String {
        if !interventions.isEmpty {
            // Reject what the pass would reject, with the same diagnostics.
            _ = try PassManager([Intervene(interventions)]).run(module)
        }
        let graph = SiteDependencies(module)
        var lines = ["digraph \"\(module.entry)\" {", "  rankdir=TB;", "  node [fontname=\"Helvetica\"];",
                     "  edge [fontname=\"Helvetica\", fontsize=10];"]
        if interventions.isEmpty {
            lines += body(graph, world: nil, interventions: [])
        } else {
            lines.append("  subgraph cluster_before {")
            lines.append("    label=\"before\";")
            lines += body(graph, world: "before", interventions: []).map { "  " + $0 }
            lines.append("  }")
            lines.append("  subgraph cluster_after {")
            lines.append("    label=\"after do(\(interventions.map(\.description).joined(separator: ", ")))\";")
            lines += body(graph, world: "after", interventions: interventions).map { "  " + $0 }
            lines.append("  }")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The edges an intervention cuts, as `from -> to` (for tests and for `--graph` legends).
    public static func cutEdges(_ module: Module, interventions: [Intervention]) -> [SiteDependency] {
        let graph = SiteDependencies(module)
        return graph.edges.filter { edge in interventions.contains { covers($0, edge.to) } }
    }

    static func covers(_ intervention: Intervention, _ site: String) -> Bool {
        site == intervention.address.root || site.hasPrefix(intervention.address.root + "[")
    }

    static func quoted(_ s: String) -> String {
        "\"" + s.flatMap { $0 == "\"" ? ["\\", "\""] : [$0] } + "\""
    }

    static func body(_ graph: SiteDependencies, world: String?, interventions: [Intervention]) -> [String] {
        func id(_ site: String) -> String { quoted(world.map { "\($0):\(site)" } ?? site) }
        var lines: [String] = []
        for node in graph.nodes {
            let applied = interventions.filter { covers($0, node.site) }
            if !applied.isEmpty {
                let label = ([node.site] + applied.map { "do(\($0))" }).joined(separator: "\\n")
                lines.append("  \(id(node.site)) [label=\(quoted(label)), shape=box, style=\"filled,bold\", fillcolor=\"#fde2c8\"];")
            } else if node.observed {
                lines.append("  \(id(node.site)) [label=\(quoted(node.site)), style=filled, fillcolor=\"#d9d9d9\"];")
            } else {
                lines.append("  \(id(node.site)) [label=\(quoted(node.site))];")
            }
        }
        for edge in graph.edges {
            let applied = interventions.filter { covers($0, edge.to) }
            if applied.isEmpty {
                lines.append("  \(id(edge.from)) -> \(id(edge.to));")
            } else if applied.contains(where: { $0.address.indices.isEmpty || !edge.to.contains("[") }) {
                lines.append("  \(id(edge.from)) -> \(id(edge.to)) [style=dashed, color=red, label=\"cut\"];")
            } else {
                let which = applied.map(\.address.description).joined(separator: ", ")
                lines.append("  \(id(edge.from)) -> \(id(edge.to)) [style=dashed, color=orange, label=\(quoted("cut at " + which))];")
            }
        }
        for intervention in interventions {
            let reads: [InterventionAddress]
            switch intervention.value {
            case .value(let e): reads = e.references
            case .distribution(_, let args): reads = args.flatMap(\.references)
            }
            guard let target = graph.nodes.first(where: { covers(intervention, $0.site) })?.site else { continue }
            var seen: Set<String> = []
            for r in reads {
                guard let source = graph.nodes.first(where: { $0.site == r.root || $0.site.hasPrefix(r.root + "[") })?.site,
                      seen.insert(source).inserted else { continue }
                lines.append("  \(id(source)) -> \(id(target)) [color=blue, label=\"do\"];")
            }
        }
        return lines
    }
}
