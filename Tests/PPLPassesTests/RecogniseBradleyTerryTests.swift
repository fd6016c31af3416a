import Foundation
import Testing
import PPLDiagnostics
import PPLIR
@testable import PPLPasses
import PPLSema

/// Lowers a `.ppl` source and runs `recognise-bradley-terry` on it.
enum BradleyTerryRecogniser {
    struct FrontEndError: Error, CustomStringConvertible { var description: String }

    static func module(_ source: String, name: String = "bt.ppl") throws -> Module {
        let (checked, diagnostics) = checkSource(SourceFile(name: name, text: source))
        let errors = diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty { throw FrontEndError(description: errors.map(\.description).joined(separator: "\n")) }
        return try PassManager([RecogniseBradleyTerry()]).run(Lowering.lower(checked))
    }

    static func fact(_ source: String) throws -> BradleyTerryRecognition {
        try #require(try module(source).facts.bradleyTerry)
    }

    static func recognised(_ source: String) throws -> BradleyTerryFact {
        let recognition = try fact(source)
        guard case .recognised(let fact) = recognition else {
            Issue.record("not recognised: \(recognition)")
            throw FrontEndError(description: "\(recognition)")
        }
        return fact
    }

    static func rejection(_ source: String) throws -> String {
        let recognition = try fact(source)
        guard case .notRecognised(let reason) = recognition else {
            Issue.record("recognised, expected a rejection: \(recognition)")
            return ""
        }
        return reason
    }
}

@Suite("recognise-bradley-terry")
struct RecogniseBradleyTerryTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test("the gallery program's IR after the pass, golden")
    func galleryGolden() throws {
        let path = Self.root.appendingPathComponent("Programs/bradley_terry.ppl").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let module = try BradleyTerryRecogniser.module(text, name: "Programs/bradley_terry.ppl")
        let printed = Printer().print(module)
        let start = try #require(printed.range(of: "// bradley-terry:")).lowerBound
        let facts = printed[start...]
        #expect(String(facts) == """
        // bradley-terry:
        //   skill[0 ..< teams] (log-strength) ~ Logistic(0.0, 1.0): rank engine default: MAP by Newman's iteration (his Eq. 26 prior)
        //   for m in 0 ..< len(winner): observe[*] ~ Bernoulli(logistic(skill[i] - skill[j])): first winner[m], second loser[m], outcome 1  Programs/bradley_terry.ppl:10:5

        """)
        // The pass records facts only: the instructions are those lowering produced.
        let (checked, _) = checkSource(SourceFile(name: "Programs/bradley_terry.ppl", text: text))
        #expect(try Lowering.lower(checked).functions == module.functions)
    }

    @Test("the three written forms and Davidson give the same structure")
    func forms() throws {
        func model(_ prior: String, _ likelihood: String) -> String {
            """
            model M(n: Int, w: [Int], l: [Int], y: [Int]) {
              for k in 0..<n { s[k] ~ \(prior) }
              for g in 0..<len(w) { \(likelihood) }
            }
            """
        }
        let bt = try BradleyTerryRecogniser.recognised(model("Gamma(2, 3)", "observe(BradleyTerry(s[w[g]], s[l[g]]), 1)"))
        #expect(bt.scale == .strength && bt.strengths == "s" && bt.priorFamily == "Gamma")
        #expect(bt.priorArguments == [.real(2), .real(3)])
        #expect(bt.itemCount == .parameter("n"))
        let c = try #require(bt.comparisons.first)
        #expect(c.first == .element(.parameter("w"), .loopIndex("g")))
        #expect(c.second == .element(.parameter("l"), .loopIndex("g")))
        #expect(c.outcome == .int(1) && !c.firstAtHome)
        #expect(c.loop?.upper == .length(.parameter("w")))

        let ratio = try BradleyTerryRecogniser.recognised(model("Gamma(2, 3)", "y[g] ~ Bernoulli(s[w[g]] / (s[w[g]] + s[l[g]]))"))
        #expect(ratio.scale == .strength)
        #expect(ratio.comparisons[0].first == c.first && ratio.comparisons[0].second == c.second)
        #expect(ratio.comparisons[0].outcome == .element(.parameter("y"), .loopIndex("g")))
        // s[j] / (s[i] + s[j]) is the probability that j wins: the items swap.
        let swapped = try BradleyTerryRecogniser.recognised(model("Gamma(2, 3)", "y[g] ~ Bernoulli(s[l[g]] / (s[w[g]] + s[l[g]]))"))
        #expect(swapped.comparisons[0].first == c.second && swapped.comparisons[0].second == c.first)

        let logistic = try BradleyTerryRecogniser.recognised(model("Logistic(0, 1)", "observe(Bernoulli(logistic(s[w[g]] - s[l[g]])), 1)"))
        #expect(logistic.scale == .logStrength)
        #expect(logistic.comparisons[0].first == c.first)

        let davidson = try BradleyTerryRecogniser.recognised("""
        model M(n: Int, w: [Int], l: [Int], y: [Int]) {
          nu ~ Exponential(1)
          for k in 0..<n { s[k] ~ Gamma(1, 1) }
          for g in 0..<len(w) { y[g] ~ Davidson(s[w[g]], s[l[g]], nu) }
        }
        """)
        #expect(davidson.tie == "nu" && davidson.home == nil)
    }

    @Test("a home factor multiplies the first strength, or is added to the first log-strength")
    func home() throws {
        let strength = try BradleyTerryRecogniser.recognised("""
        model M(n: Int, h: [Int], a: [Int], y: [Int]) {
          eta ~ Gamma(1, 1)
          for k in 0..<n { s[k] ~ Gamma(1, 1) }
          for g in 0..<len(h) { y[g] ~ BradleyTerry(eta * s[h[g]], s[a[g]]) }
        }
        """)
        #expect(strength.home == "eta" && strength.comparisons[0].firstAtHome)
        let logScale = try BradleyTerryRecogniser.recognised("""
        model M(n: Int, h: [Int], a: [Int], y: [Int]) {
          eta ~ Normal(0, 1)
          for k in 0..<n { b[k] ~ Logistic(0, 1) }
          for g in 0..<len(h) { y[g] ~ Bernoulli(logistic(eta + b[h[g]] - b[a[g]])) }
        }
        """)
        #expect(logScale.home == "eta" && logScale.scale == .logStrength)
        // On the strength scale a home factor multiplies; added, it is not Bradley-Terry.
        let wrong = try BradleyTerryRecogniser.rejection("""
        model M(n: Int, h: [Int], a: [Int], y: [Int]) {
          eta ~ Gamma(1, 1)
          for k in 0..<n { s[k] ~ Gamma(1, 1) }
          for g in 0..<len(h) { y[g] ~ BradleyTerry(eta + s[h[g]], s[a[g]]) }
        }
        """)
        #expect(wrong.contains("multiplies the strength") && wrong.contains("bt.ppl:4:25"), "\(wrong)")
    }

    @Test("models that are not Bradley-Terry say why and where")
    func rejections() throws {
        // A likelihood that reads the strengths another way.
        let probit = try BradleyTerryRecogniser.rejection("""
        model M(n: Int, w: [Int], l: [Int]) {
          for k in 0..<n { b[k] ~ Normal(0, 1) }
          for g in 0..<len(w) { observe(Bernoulli(logistic(2 * (b[w[g]] - b[l[g]]))), 1) }
        }
        """)
        #expect(probit.contains("bt.ppl:3:25") && probit.contains("logistic(b[i] - b[j])"), "\(probit)")
        // Another latent choice besides the strengths.
        let extra = try BradleyTerryRecogniser.rejection("""
        model M(n: Int, w: [Int], l: [Int]) {
          sigma ~ HalfNormal(1)
          for k in 0..<n { b[k] ~ Normal(0, sigma) }
          for g in 0..<len(w) { observe(Bernoulli(logistic(b[w[g]] - b[l[g]])), 1) }
        }
        """)
        #expect(extra.contains("'sigma'") && extra.contains("bt.ppl:2:3"), "\(extra)")
        // Comparisons in nested loops.
        let nested = try BradleyTerryRecogniser.rejection("""
        model M(n: Int, w: [[Int]], l: [[Int]]) {
          for k in 0..<n { s[k] ~ Gamma(1, 1) }
          for r in 0..<len(w) { for g in 0..<len(w[r]) { observe(BradleyTerry(s[w[r][g]], s[l[r][g]]), 1) } }
        }
        """)
        #expect(nested.contains("nested loops") && nested.contains("bt.ppl:3:50"), "\(nested)")
        // A model with no comparisons at all.
        let none = try BradleyTerryRecogniser.rejection("""
        model M() {
          p ~ Beta(1, 1)
          observe(Normal(0, 1), 0.5)
        }
        """)
        #expect(none.contains("no observation reads a random choice"))
        // An outcome that depends on a random choice.
        let latentOutcome = try BradleyTerryRecogniser.rejection("""
        model M(n: Int, w: [Int], l: [Int]) {
          z ~ Bernoulli(0.5)
          for k in 0..<n { s[k] ~ Gamma(1, 1) }
          for g in 0..<len(w) { observe(BradleyTerry(s[w[g]], s[l[g]]), z) }
        }
        """)
        #expect(latentOutcome.contains("observed result must be data"), "\(latentOutcome)")
    }
}
