import PPLDiagnostics
import PPLDistributions
import PPLIR

/// Causal models built with `FunctionBuilder`, so the pass tests do not wait for the front end.
enum CausalModels {
    static func at(_ line: Int, _ column: Int) -> SourceLocation { SourceLocation(file: "causal.ppl", line: line, column: column) }

    /// `cond ? a : b` on probabilities, as lowering writes it.
    static func choose(_ b: inout FunctionBuilder, _ condition: ValueID, _ a: Double, _ c: Double) -> ValueID {
        b.ifElse(condition, resultTypes: [.real], then: { b in [b.constant(a)] }, otherwise: { b in [b.constant(c)] })[0]
    }

    static func isOne(_ b: inout FunctionBuilder, _ v: ValueID) -> ValueID {
        b.emit(.binary(.eq, v, b.constant(1)), .bool)
    }

    /// Parameters of a smoking model: P(hidden = 1), P(smoking = 1 | hidden), P(tar = 1 | smoking),
    /// P(cancer = 1 | tar, hidden) indexed [tar][hidden].
    struct SmokingParameters {
        var hidden: Double
        var smoking: (given0: Double, given1: Double)
        var tar: (given0: Double, given1: Double)
        var cancer: [[Double]]
    }

    /// A hidden confounder that is not a copy of smoking (scripts/causal/causal_references.py, model "noisy").
    static let noisy = SmokingParameters(hidden: 99.0 / 250, smoking: (37.0 / 604, 37.0 / 44), tar: (1.0 / 21, 22.0 / 37),
                                         cancer: [[7.0 / 48, 17.0 / 48], [7.0 / 11, 31.0 / 33]])
    /// The hidden wire a copy of smoking: the comb the paper disintegrates (model "copy").
    static let copy = SmokingParameters(hidden: 0.37, smoking: (0, 1), tar: (1.0 / 21, 22.0 / 37),
                                        cancer: [[1.0 / 6, 1.0 / 3], [2.0 / 3, 10.0 / 11]])

    /// Smoking → tar → cancer with a hidden confounder of smoking and cancer, parameterised so that
    /// the observed joint of (smoking, tar, cancer) is Jacobs, Kissinger & Zanasi's table.
    static func smoking(_ parameters: SmokingParameters = noisy) -> Module {
        var b = FunctionBuilder(name: "Smoking", kind: .model, parameters: [], returnType: .int)
        let h = b.emit(.sample(AddressExpr("hidden"), family: "Bernoulli", arguments: [b.constant(parameters.hidden)]), .int, name: "hidden", at: at(2, 3))
        let ps = choose(&b, isOne(&b, h), parameters.smoking.given1, parameters.smoking.given0)
        let s = b.emit(.sample(AddressExpr("smoking"), family: "Bernoulli", arguments: [ps]), .int, name: "smoking", at: at(3, 3))
        let pt = choose(&b, isOne(&b, s), parameters.tar.given1, parameters.tar.given0)
        let t = b.emit(.sample(AddressExpr("tar"), family: "Bernoulli", arguments: [pt]), .int, name: "tar", at: at(4, 3))
        let tIs = isOne(&b, t), hIs = isOne(&b, h)
        let c1 = parameters.cancer[1], c0 = parameters.cancer[0]
        let pc = b.ifElse(tIs, resultTypes: [.real], then: { b in [choose(&b, hIs, c1[1], c1[0])] },
                          otherwise: { b in [choose(&b, hIs, c0[1], c0[0])] })[0]
        let c = b.emit(.sample(AddressExpr("cancer"), family: "Bernoulli", arguments: [pc]), .int, name: "cancer", at: at(5, 3))
        b.emit(.ret(c), nil, at: at(6, 3))
        return Module(functions: [b.finish()], entry: "Smoking")
    }

    /// z ~ Normal(0, 1); x ~ Normal(z, 1); y ~ Normal(2x + 3z, 1); returns y.
    static func linearGaussian(observeX: Double? = nil) -> Module {
        var b = FunctionBuilder(name: "Linear", kind: .model, parameters: [], returnType: .real)
        let zero = b.constant(0.0), one = b.constant(1.0)
        let z = b.emit(.sample(AddressExpr("z"), family: "Normal", arguments: [zero, one]), .real, name: "z", at: at(2, 3))
        let x: ValueID
        if let observeX {
            x = b.constant(observeX)
            b.emit(.observe(AddressExpr("x"), family: "Normal", arguments: [z, one], value: x), nil, at: at(3, 3))
        } else {
            x = b.emit(.sample(AddressExpr("x"), family: "Normal", arguments: [z, one]), .real, name: "x", at: at(3, 3))
        }
        let twoX = b.emit(.binary(.mul, b.constant(2.0), x), .real)
        let threeZ = b.emit(.binary(.mul, b.constant(3.0), z), .real)
        let mean = b.emit(.binary(.add, twoX, threeZ), .real, name: "mean")
        let y = b.emit(.sample(AddressExpr("y"), family: "Normal", arguments: [mean, one]), .real, name: "y", at: at(4, 3))
        b.emit(.ret(y), nil, at: at(5, 3))
        return Module(functions: [b.finish()], entry: "Linear")
    }

    /// for i in 0..<n { z[i] ~ Normal(0, 1); y[i] ~ Normal(z[i], 1) observed }; then s ~ Normal(z[2] + z[3], 1).
    static func loop() -> Module {
        var b = FunctionBuilder(name: "Loop", kind: .model, parameters: [("y", .array(.real))], returnType: .real)
        let zero = b.constant(0.0), one = b.constant(1.0)
        let n = b.emit(.builtin(.len, [b.parameter(0)]), .int, name: "n")
        b.forLoop(b.constant(0), n, induction: "i", at: at(2, 3)) { b, i, _ in
            let z = b.emit(.sample(AddressExpr("z", [i]), family: "Normal", arguments: [zero, one]), .real, name: "z", at: at(3, 5))
            let yi = b.emit(.index(b.parameter(0), i), .real)
            b.emit(.observe(AddressExpr("y", [i]), family: "Normal", arguments: [z, one], value: yi), nil, at: at(4, 5))
            return []
        }
        let z2 = b.emit(.load(AddressExpr("z", [b.constant(2)])), .real, at: at(6, 20))
        let z3 = b.emit(.load(AddressExpr("z", [b.constant(3)])), .real, at: at(6, 27))
        let sum = b.emit(.binary(.add, z2, z3), .real)
        let s = b.emit(.sample(AddressExpr("s"), family: "Normal", arguments: [sum, one]), .real, name: "s", at: at(6, 3))
        b.emit(.ret(s), nil)
        return Module(functions: [b.finish()], entry: "Loop")
    }

    /// Pearl's firing squad (Causality, 2009, 7.1.2): court order U and nervous rifleman W are the
    /// exogenous causes; captain C = U, riflemen A = C or W and B = C, death D = A or B.
    static func firingSquad(pCourt: Double = 0.5, pNervous: Double = 0.25) -> Module {
        var b = FunctionBuilder(name: "FiringSquad", kind: .model, parameters: [], returnType: .int)
        let u = b.emit(.sample(AddressExpr("court"), family: "Bernoulli", arguments: [b.constant(pCourt)]), .int, name: "court", at: at(2, 3))
        let w = b.emit(.sample(AddressExpr("nervous"), family: "Bernoulli", arguments: [b.constant(pNervous)]), .int, name: "nervous", at: at(3, 3))
        let c = b.emit(.sample(AddressExpr("captain"), family: "Bernoulli", arguments: [choose(&b, isOne(&b, u), 1, 0)]), .int, name: "captain", at: at(4, 3))
        let cOrW = b.emit(.binary(.or, isOne(&b, c), isOne(&b, w)), .bool)
        let a = b.emit(.sample(AddressExpr("a"), family: "Bernoulli", arguments: [choose(&b, cOrW, 1, 0)]), .int, name: "a", at: at(5, 3))
        let bb = b.emit(.sample(AddressExpr("b"), family: "Bernoulli", arguments: [choose(&b, isOne(&b, c), 1, 0)]), .int, name: "b", at: at(6, 3))
        let aOrB = b.emit(.binary(.or, isOne(&b, a), isOne(&b, bb)), .bool)
        let d = b.emit(.sample(AddressExpr("dead"), family: "Bernoulli", arguments: [choose(&b, aOrB, 1, 0)]), .int, name: "dead", at: at(7, 3))
        b.emit(.ret(d), nil)
        return Module(functions: [b.finish()], entry: "FiringSquad")
    }
}
