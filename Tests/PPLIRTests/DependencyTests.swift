import PPLDiagnostics
import PPLIR
import PPLSema
import Testing

@Suite struct DependencyTests {
    func lower(_ source: String) throws -> Module {
        let (checked, diagnostics) = checkSource(SourceFile(name: "m.ppl", text: source))
        #expect(!diagnostics.contains { $0.severity == .error }, "\(diagnostics)")
        return try Lowering.lower(checked)
    }

    @Test func stateSpaceChainAndItsBlankets() throws {
        var module = try lower("""
        model SSM(y: [Real]) {
          x[0] ~ Normal(0, 1)
          for t in 1..<len(y) { x[t] ~ Normal(0.9 * x[t - 1], 1) }
          y ~ Normal(x, 0.5)
        }
        """)
        module = try PassManager([StaticStructure(), Dependencies(), MarkovBlankets()]).run(module)
        #expect(module.facts.isStatic == true)
        #expect(module.facts.latentSites == ["x[*]"])
        #expect(module.facts.observedSites == ["y[*]"])
        #expect(module.facts.dependencies == [SiteDependency(from: "x[*]", to: "y[*]")])
        #expect(module.facts.markovBlankets?["x[*]"] == ["y[*]"])
    }

    @Test func hierarchicalModelEdgesAndDot() throws {
        var module = try lower("""
        fn noise(s: Real) -> Real {
          e ~ Normal(0, s)
          return e
        }
        model H(y: [Real]) {
          mu ~ Normal(0, 5)
          tau ~ HalfNormal(5)
          for j in 0..<len(y) { eta[j] ~ Normal(0, 1) }
          let theta = mu + tau * eta
          let extra = noise(tau)
          z ~ Bernoulli(0.5)
          if z == 1 { w ~ Normal(0, 1) }
          for j in 0..<len(y) { y[j] ~ Normal(theta[j] + extra, 1) }
        }
        """)
        module = try PassManager([StaticStructure(), Dependencies(), MarkovBlankets()]).run(module)
        let edges = Set((module.facts.dependencies ?? []).map { "\($0.from) -> \($0.to)" })
        #expect(edges == ["mu -> y[*]", "tau -> y[*]", "eta[*] -> y[*]", "noise[*].e -> y[*]", "tau -> noise[*].e", "z -> w"])
        #expect(module.facts.isStatic == false)
        #expect(module.facts.markovBlankets?["mu"] == ["eta[*]", "noise[*].e", "tau", "y[*]"])
        let dot = Dependencies.dot(module)
        #expect(dot.hasPrefix("digraph \"H\" {"))
        #expect(dot.contains("\"mu\" -> \"y[*]\";"))
        #expect(dot.contains("\"y[*]\" [shape=box"))
    }
}
