import Foundation
import PPLDiagnostics
import PPLDistributions
import PPLInference
import PPLInterpreter
import PPLIR
@testable import PPLPasses
import Testing

/// The twin network as printed by `ppl ir --after counterfactual`.
@Suite struct CounterfactualIRTests {
    @Test func theTwinNetworkSharesNoiseAndConditionsOnlyTheFactualWorld() throws {
        let twin = try Causal.apply(Counterfactual(facts: [try .parse("y = 3")], interventions: [try .parse("x = 1")]),
                                    to: CausalModels.linearGaussian())
        // Factual choices are renamed `_factual` and the fact is observed there; the counterfactual
        // world shares z (same mechanism), sets x = 1 and computes y' = mean' + 1 · (y − mean) / 1.
        #expect(Printer(showLocations: false).print(twin) == """
            model Linear() -> Real {
              %z = sample @z_factual Normal(0.0, 1.0) : Real
              report @z, %z
              %x = sample @x_factual Normal(%z, 1.0) : Real
              %0 = real 1 : Real
              report @x, %0
              %1 = mul 2.0, %x : Real
              %2 = mul 2.0, %0 : Real
              %3 = mul 3.0, %z : Real
              %4 = mul 3.0, %z : Real
              %mean = add %1, %3 : Real
              %mean.1 = add %2, %4 : Real
              %5 = real 3 : Real
              observe @y_factual Normal(%mean, 1.0), %5
              %6 = sub %5, %mean : Real
              %7 = div %6, 1.0 : Real
              %8 = mul 1.0, %7 : Real
              %9 = add %mean.1, %8 : Real
              report @y, %9
              return %9
            }

            """)
    }

    @Test func unsupportedNoiseAndNamesAreErrors() throws {
        // A Poisson whose rate depends on another choice has no explicit noise here.
        var b = FunctionBuilder(name: "P", kind: .model, parameters: [], returnType: nil)
        let rate = b.emit(.sample(AddressExpr("rate"), family: "Exponential", arguments: [b.constant(1.0)]), .real, name: "rate")
        b.emit(.sample(AddressExpr("n"), family: "Poisson", arguments: [rate]), .int, name: "n")
        let module = Module(functions: [b.finish()], entry: "P")
        #expect(throws: DiagnosticList.self) {
            try Causal.apply(Counterfactual(facts: [], interventions: [try .parse("rate = 2")]), to: module)
        }
        #expect(throws: DiagnosticList.self) {
            try Causal.apply(Counterfactual(facts: [try .parse("dead ~ Normal(0, 1)")], interventions: []), to: CausalModels.firingSquad())
        }
        #expect(throws: DiagnosticList.self) {
            try Causal.apply(Counterfactual(facts: [try .parse("deadd = 1")], interventions: []), to: CausalModels.firingSquad())
        }
    }
}

@Suite struct CounterfactualLoopTests {
    /// In a loop the worlds run in lockstep: y'[i] = z'[i] + (y[i] − z[i]) with z'[2] = 5 and
    /// z'[i] = z[i] otherwise; s' = z'[2] + z'[3] + (s − z[2] − z[3]) reads z' back through `load`.
    @Test func loopsRunInLockstepAndLoadsReadTheCounterfactualWorld() throws {
        let data = [0.3, -0.2, 1.1, 0.7]
        let twin = try Causal.apply(Counterfactual(facts: [], interventions: [try .parse("z[2] = 5")]), to: CausalModels.loop())
        let model = try VMModel(module: twin, arguments: [.reals(data)])
        var rng = RandomStream(seed: 9)
        for _ in 0..<5 {
            let trace = try model.simulate(using: &rng)
            var values: [String: Double] = [:]
            for k in 0..<trace.latentCount { values[trace.latent(k).address.description] = trace.latent(k).value.asReal }
            for (address, value) in trace.deterministic { values[address.description] = value.asReal }
            for i in 0..<4 {
                let z = try #require(values["z_factual[\(i)]"]), zc = try #require(values["z[\(i)]"])
                #expect(zc == (i == 2 ? 5 : z))
                let yc = try #require(values["y[\(i)]"])
                #expect(abs(yc - (zc + (data[i] - z))) < 1e-12)
            }
            let s = try #require(values["s_factual"]), sc = try #require(values["s"])
            let z2 = try #require(values["z_factual[2]"]), z3 = try #require(values["z_factual[3]"])
            #expect(abs(sc - (5 + z3 + (s - z2 - z3))) < 1e-12)
            // Only the factual world scores the data.
            #expect(trace.observations.map(\.address.description) == ["y_factual[0]", "y_factual[1]", "y_factual[2]", "y_factual[3]"])
        }
    }
}

@Suite struct CategoricalCounterfactualTests {
    /// c ~ Categorical([.2, .5, .3]); x ~ Categorical(P[c]).
    static func model() -> Module {
        var b = FunctionBuilder(name: "Cat", kind: .model, parameters: [], returnType: .int)
        func probabilities(_ b: inout FunctionBuilder, _ p: [Double]) -> ValueID {
            b.emit(.array(p.map { b.constant($0) }), .array(.real))
        }
        let prior = probabilities(&b, [0.2, 0.5, 0.3])
        let c = b.emit(.sample(AddressExpr("c"), family: "Categorical", arguments: [prior]), .int, name: "c")
        let isZero = b.emit(.binary(.eq, c, b.constant(0)), .bool)
        let isOne = b.emit(.binary(.eq, c, b.constant(1)), .bool)
        let p = b.ifElse(isZero, resultTypes: [.array(.real)], then: { b in [probabilities(&b, [0.1, 0.6, 0.3])] }, otherwise: { b in
            [b.ifElse(isOne, resultTypes: [.array(.real)], then: { b in [probabilities(&b, [0.5, 0.25, 0.25])] },
                      otherwise: { b in [probabilities(&b, [0.2, 0.2, 0.6])] })[0]]
        })[0]
        let x = b.emit(.sample(AddressExpr("x"), family: "Categorical", arguments: [p]), .int, name: "x")
        b.emit(.ret(x), nil)
        return Module(functions: [b.finish()], entry: "Cat")
    }

    /// Exact fractions from scripts/causal/causal_references.py, section 6: 4/61, 20/61, 37/61.
    @Test func categoricalNoiseIsTheInverseCDFOfASharedUniform() throws {
        let twin = try Causal.apply(Counterfactual(facts: [try .parse("x = 1")], interventions: [try .parse("c = 2")]), to: Self.model())
        let marginal = try #require(try Causal.enumerate(twin).marginal(of: "x"))
        let expected = [4.0 / 61, 20.0 / 61, 37.0 / 61]
        #expect(marginal.count == 3)
        for (m, e) in zip(marginal, expected) { #expect(abs(m.probability - e) < 1e-12) }
        // Negative control: the interventional answer P(x | do(c = 2)) = [.2, .2, .6] ignores the fact.
        #expect(abs(marginal[0].probability - 0.2) > 0.1)
    }
}
