import Foundation
import PPLDiagnostics
import PPLDistributions
import PPLInference
import PPLInterpreter
import PPLIR
@testable import PPLPasses
import Testing

/// Every gallery model survives every kind of surgery on each of its latent choices: the IR
/// verifies and runs, or the pass reports a diagnostic; never a crash or invalid IR.
@Suite struct CausalRobustnessTests {
    @Test func everyGalleryModelTakesEveryIntervention() throws {
        let modules = try CausalPrograms.galleryModules()
        #expect(modules.count >= 10)
        var rewritten = 0, diagnosed = 0, simulated = 0
        for (name, module) in modules {
            guard let entry = module.entryFunction else { continue }
            let sites = SiteTable(entry, module: module)
            for root in sites.latentOrder {
                let site = sites.latent[root]![0]
                let value = site.type == .int ? "0" : (site.type == .real ? "0.5" : "[0.5]")
                var texts = ["\(root) = \(value)"]
                if site.indexCount > 0 { texts.append("\(root)[0] = \(value)") }
                if site.type == .real { texts.append("\(root) ~ Normal(0.5, 0.1)") }
                for text in texts {
                    let intervention = try Intervention.parse(text)
                    for pass in [Intervene([intervention]) as any Pass, Condition([intervention]),
                                 Counterfactual(facts: [], interventions: [intervention])] {
                        do {
                            let result = try PassManager([pass]).run(module)
                            rewritten += 1
                            #expect(Verifier().verify(result).isEmpty, "\(name) \(type(of: pass).name) \(text)")
                            // Models without data run: a model error is fine, a crash is not.
                            if entry.parameters.isEmpty, let model = try? VMModel(module: result, arguments: []) {
                                var rng = RandomStream(seed: 1)
                                for _ in 0..<3 { if (try? model.simulate(using: &rng)) != nil { simulated += 1 } }
                            }
                        } catch is DiagnosticList {
                            diagnosed += 1
                        } catch {
                            Issue.record("\(name) \(type(of: pass).name) \(text): \(error)")
                        }
                    }
                }
            }
        }
        #expect(rewritten > 50)
        #expect(simulated > 30)
        // Unsupported cases (stochastic `given`, choices the twin network cannot pair) are diagnosed.
        #expect(diagnosed > 0)
    }
}
