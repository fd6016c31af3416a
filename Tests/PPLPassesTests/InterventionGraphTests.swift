import PPLIR
@testable import PPLPasses
import Testing

/// `ppl ir --graph`: the dependency graph, and the edges surgery cuts.
@Suite struct InterventionGraphTests {
    @Test func smokingGraphHasTheConfoundedStructure() {
        let graph = SiteDependencies(CausalModels.smoking())
        #expect(graph.nodes.map(\.site) == ["hidden", "smoking", "tar", "cancer"])
        #expect(Set(graph.edges.map { "\($0.from) -> \($0.to)" })
                == ["hidden -> smoking", "smoking -> tar", "hidden -> cancer", "tar -> cancer"])
    }

    @Test func loopsLoadsAndObservationsAreNodes() {
        let graph = SiteDependencies(CausalModels.loop())
        #expect(graph.nodes.map(\.site) == ["z[*]", "y[*]", "s"])
        #expect(graph.nodes.map(\.observed) == [false, true, false])
        #expect(Set(graph.edges.map { "\($0.from) -> \($0.to)" }) == ["z[*] -> y[*]", "z[*] -> s"])
    }

    @Test func cutEdgesAreTheInterventionsIncomingEdges() throws {
        let cut = InterventionGraph.cutEdges(CausalModels.smoking(), interventions: [try .parse("smoking = 1")])
        #expect(cut.map { "\($0.from) -> \($0.to)" } == ["hidden -> smoking"])
        let dot = try InterventionGraph.dot(CausalModels.smoking(), interventions: [try .parse("smoking = 1")])
        #expect(dot.contains("\"after:hidden\" -> \"after:smoking\" [style=dashed, color=red, label=\"cut\"];"))
        #expect(dot.contains("\"before:hidden\" -> \"before:smoking\";"))
        #expect(dot.contains("\"after:smoking\" -> \"after:tar\";"))
        #expect(dot.contains("\"after:smoking\" [label=\"smoking\\ndo(smoking = 1)\", shape=box"))
        // A functional intervention adds the edge its value reads; an element's cut is partial.
        let functional = try InterventionGraph.dot(CausalModels.linearGaussian(), interventions: [try .parse("x = 0.5 * z")])
        #expect(functional.contains("\"after:z\" -> \"after:x\" [style=dashed, color=red, label=\"cut\"];"))
        #expect(functional.contains("\"after:z\" -> \"after:x\" [color=blue, label=\"do\"];"))
        let element = try InterventionGraph.dot(CausalModels.loop(), interventions: [try .parse("z[3] = 0")])
        #expect(element.contains("\"after:z[*]\" [label=\"z[*]\\ndo(z[3] = 0)\""))
        // Bad interventions fail as the pass does.
        #expect(throws: (any Error).self) { try InterventionGraph.dot(CausalModels.smoking(), interventions: [try .parse("smokin = 1")]) }
    }
}
