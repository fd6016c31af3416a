import Foundation
import Testing
import PPLDiagnostics
import PPLIR
@testable import PPLPasses
import PPLSema

/// Lowers a `.ppl` source and runs `recognise-conjugacy` on it.
enum Conjugacy {
    struct FrontEndError: Error, CustomStringConvertible { var description: String }

    static func lower(_ source: String) throws -> Module {
        let (checked, diagnostics) = checkSource(SourceFile(name: "conjugacy.ppl", text: source))
        let errors = diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty { throw FrontEndError(description: errors.map(\.description).joined(separator: "\n")) }
        return try Lowering.lower(checked)
    }

    static func recognise(_ source: String) throws -> Module {
        try PassManager([RecogniseConjugacy()]).run(lower(source))
    }

    /// Site → prior family of the conjugate sites, and site → rejection of the others.
    static func verdicts(_ source: String) throws -> (conjugate: [String: String], not: [String: String]) {
        let facts = try recognise(source).facts.conjugacy ?? []
        var conjugate: [String: String] = [:]
        var not: [String: String] = [:]
        for fact in facts {
            if let rejection = fact.rejection { not[fact.site] = rejection } else { conjugate[fact.site] = fact.prior }
        }
        return (conjugate, not)
    }
}

@Suite("recognise-conjugacy")
struct RecogniseConjugacyTests {
    @Test("every conjugate pair of the table is found, with several observations and array choices in loops")
    func table() throws {
        let source = """
        model M(flips: [Int], n: [Int], k: [Int], counts: [Int], waits: [Real], y: [Real], x: [Real], labels: [Int]) {
          p ~ Beta(1, 1)
          for i in 0..<len(flips) { flips[i] ~ Bernoulli(p) }
          q ~ Beta(2, 2)
          for i in 0..<len(n) { k[i] ~ Binomial(n[i], q) }
          r ~ Beta(1, 3)
          for i in 0..<len(k) { observe(Geometric(r), k[i]) }
          lambda ~ Gamma(2, 1)
          for i in 0..<len(counts) { counts[i] ~ Poisson(3.0 * lambda) }
          rate ~ Gamma(2, 2)
          waits ~ Exponential(rate)
          tau ~ Gamma(1, 1)
          v ~ InverseGamma(2, 1)
          a ~ Normal(0, 10)
          b ~ Normal(0, 10)
          for i in 0..<len(y) {
            y[i] ~ Normal(a * x[i] + b, 1 / sqrt(tau))
            observe(Normal(b - 2 * a, sqrt(v)), x[i])
          }
          theta ~ Dirichlet([1.0, 1.0, 1.0])
          for i in 0..<len(labels) { labels[i] ~ Categorical(theta) }
          observe(Multinomial(4, theta), [1, 2, 1])
          return p
        }
        """
        let (conjugate, not) = try Conjugacy.verdicts(source)
        #expect(conjugate == ["p": "Beta", "q": "Beta", "r": "Beta", "lambda": "Gamma", "rate": "Gamma", "tau": "Gamma",
                              "v": "InverseGamma", "a": "Normal", "b": "Normal", "theta": "Dirichlet"], "\(not)")
        #expect(not.isEmpty)
        let facts = try Conjugacy.recognise(source).facts.conjugacy ?? []
        let children = Dictionary(uniqueKeysWithValues: facts.map { ($0.site, $0.children) })
        #expect(children["a"] == ["y[*] ~ Normal (mean)", "observe[*] ~ Normal (mean)"])
        #expect(children["tau"] == ["y[*] ~ Normal (precision)"])
        #expect(children["theta"] == ["labels[*] ~ Categorical (probabilities)", "observe ~ Multinomial (probabilities)"])
    }

    @Test("latent children count: hierarchical, state-space and non-centred models")
    func latentChildren() throws {
        let hierarchical = """
        model H(y: [Real], s: [Real]) {
          mu ~ Normal(0, 5)
          v ~ InverseGamma(3, 2)
          for j in 0..<len(y) {
            theta[j] ~ Normal(mu, sqrt(v))
            y[j] ~ Normal(theta[j], s[j])
          }
          return mu
        }
        """
        let h = try Conjugacy.verdicts(hierarchical)
        #expect(h.conjugate == ["mu": "Normal", "v": "InverseGamma", "theta[*]": "Normal"], "\(h.not)")

        let stateSpace = """
        model S(y: [Real]) {
          x[0] ~ Normal(0, 1)
          for t in 1..<len(y) { x[t] ~ Normal(0.9 * x[t - 1], 1) }
          let level = mean(x)
          y ~ Normal(x, 0.5)
          for v in y { observe(Normal(level, 2), v) }
          return x
        }
        """
        let s = try Conjugacy.verdicts(stateSpace)
        #expect(s.conjugate == ["x[*]": "Normal"], "\(s.not)")

        let eightSchools = try Conjugacy.verdicts(String(contentsOf: Self.program("eight_schools.ppl"), encoding: .utf8))
        #expect(eightSchools.conjugate == ["mu": "Normal", "eta[*]": "Normal"])
        #expect(eightSchools.not["tau"]?.contains("no conjugate family for a HalfCauchy prior") == true)
    }

    @Test("the Gaussian mixture: weights and means conjugate, labels and scale not; addresses fixed though not static")
    func mixture() throws {
        let module = try PassManager([StaticStructure(), RecogniseConjugacy()])
            .run(Conjugacy.lower(String(contentsOf: Self.program("gaussian_mixture.ppl"), encoding: .utf8)))
        let facts = module.facts.conjugacy ?? []
        #expect(facts.map(\.description) == [
            "w: Beta, conjugate with z[*] ~ Bernoulli (probability)",
            "mu[*]: Normal, conjugate with y[*] ~ Normal (mean)",
            "sigma: HalfNormal, not conjugate: no conjugate family for a HalfNormal prior",
            "z[*]: Bernoulli, not conjugate: no conjugate family for a Bernoulli prior",
        ])
        #expect(module.facts.fixedAddresses == true)
        #expect(module.facts.isStatic == false)
        let printed = Printer(showLocations: false).print(module)
        #expect(printed.contains("""
        // conjugacy:
        //   w: Beta, conjugate with z[*] ~ Bernoulli (probability)
        //   mu[*]: Normal, conjugate with y[*] ~ Normal (mean)
        """))
        #expect(printed.contains("// fixed addresses: true"))
    }

    @Test("non-conjugate uses are rejected with the reason and place", arguments: [
        ("mu ~ Normal(0, 1)\n  y ~ Normal(exp(mu), 1)", "mu", "'y' ~ Normal reads it in a way not conjugate to a Normal prior at conjugacy.ppl:3:3"),
        ("mu ~ Normal(0, 1)\n  y ~ Normal(0, 1 + mu * mu)", "mu", "not conjugate to a Normal prior"),
        ("p ~ Beta(1, 1)\n  observe(Bernoulli(0.5 * p), 1)", "p", "'observe' ~ Bernoulli reads it in a way not conjugate"),
        ("p ~ Beta(1, 1)\n  observe(Poisson(p), 1)", "p", "'observe' ~ Poisson reads it, which is not a conjugate likelihood for a Beta prior"),
        ("s ~ Gamma(1, 1)\n  y ~ Normal(0, s)", "s", "not conjugate to a Gamma prior"),
        ("s ~ Gamma(1, 1)\n  if s > 1.0 { y ~ Normal(0, 1) } else { y ~ Normal(1, 1) }", "s", "a branch depends on it"),
        ("s ~ Gamma(1, 1)\n  factor(s)", "s", "a factor depends on it"),
        ("m ~ Normal(0, 1)\n  y ~ Normal(m, 1)\n  m ~ Gamma(1, 1)", "m", "different priors"),
        ("k ~ Poisson(3)\n  y ~ Normal(k, 1)", "k", "no conjugate family for a Poisson prior"),
    ])
    func rejections(_ body: String, _ site: String, _ reason: String) throws {
        let source = "model M(y: Real) {\n  \(body)\n  return 0\n}\n"
        guard let module = try? Conjugacy.recognise(source) else {
            // A program the checker refuses (a site declared twice) cannot be mis-recognised.
            #expect(reason == "different priors")
            return
        }
        let fact = module.facts.conjugacy?.first { $0.site == site }
        #expect(fact?.rejection?.contains(reason) == true, "\(String(describing: fact))")
    }

    static func program(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Programs/\(name)")
    }
}
