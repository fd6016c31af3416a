import PPLDiagnostics
import PPLDistributions
import PPLIR

/// IR programs built by hand with `FunctionBuilder`, so VM tests do not depend on the front end.
enum HandBuilt {
    static func at(_ line: Int, _ column: Int) -> SourceLocation { SourceLocation(file: "test.ppl", line: line, column: column) }

    /// mu ~ Normal(0, 1); for i in 0..<len(y) { y[i] ~ Normal(mu, sigma) }; return mu
    static func normalMean(sigma: Double = 0.5) -> Module {
        var b = FunctionBuilder(name: "NormalMean", kind: .model, parameters: [("y", .array(.real))], returnType: .real)
        let zero = b.constant(0.0), one = b.constant(1.0), s = b.constant(sigma)
        let mu = b.emit(.sample(AddressExpr("mu"), family: "Normal", arguments: [zero, one]), .real, name: "mu", at: at(2, 3))
        let n = b.emit(.builtin(.len, [b.parameter(0)]), .int, name: "n")
        let lo = b.constant(0)
        b.forLoop(lo, n, induction: "i", at: at(3, 3)) { b, i, _ in
            let yi = b.emit(.index(b.parameter(0), i), .real, at: at(4, 5))
            b.emit(.observe(AddressExpr("y", [i]), family: "Normal", arguments: [mu, s], value: yi), nil, at: at(4, 5))
            return []
        }
        b.emit(.ret(mu), nil, at: at(6, 3))
        return Module(functions: [b.finish()], entry: "NormalMean")
    }

    /// Independent latent z[i] ~ Normal(0, 1) with one observation y[i] ~ Normal(z[i], 1) each.
    static func independent() -> Module {
        var b = FunctionBuilder(name: "Independent", kind: .model, parameters: [("y", .array(.real))], returnType: nil)
        let zero = b.constant(0.0), one = b.constant(1.0)
        let n = b.emit(.builtin(.len, [b.parameter(0)]), .int, name: "n")
        b.forLoop(b.constant(0), n, induction: "i") { b, i, _ in
            let z = b.emit(.sample(AddressExpr("z", [i]), family: "Normal", arguments: [zero, one]), .real, name: "z", at: at(3, 5))
            let yi = b.emit(.index(b.parameter(0), i), .real)
            b.emit(.observe(AddressExpr("y", [i]), family: "Normal", arguments: [z, one], value: yi), nil, at: at(4, 5))
            return []
        }
        return Module(functions: [b.finish()], entry: "Independent")
    }

    /// x[0] ~ Normal(0, 1); x[t] ~ Normal(0.9 x[t-1], 1); y[t] ~ Normal(x[t], 0.5); returns the path.
    static func stateSpace() -> Module {
        var b = FunctionBuilder(name: "StateSpace", kind: .model, parameters: [("y", .array(.real))], returnType: .array(.real))
        let zero = b.constant(0.0), one = b.constant(1.0), half = b.constant(0.5), phi = b.constant(0.9)
        let i0 = b.constant(0), i1 = b.constant(1)
        let y = b.parameter(0)
        let n = b.emit(.builtin(.len, [y]), .int, name: "T")
        let x0 = b.emit(.sample(AddressExpr("x", [i0]), family: "Normal", arguments: [zero, one]), .real, name: "x0", at: at(2, 3))
        let y0 = b.emit(.index(y, i0), .real)
        b.emit(.observe(AddressExpr("y", [i0]), family: "Normal", arguments: [x0, half], value: y0), nil, at: at(3, 3))
        b.forLoop(i1, n, induction: "t", at: at(4, 3)) { b, t, _ in
            let previous = b.emit(.binary(.sub, t, i1), .int)
            let xp = b.emit(.load(AddressExpr("x", [previous])), .real, at: at(5, 28))
            let mean = b.emit(.binary(.mul, phi, xp), .real)
            let xt = b.emit(.sample(AddressExpr("x", [t]), family: "Normal", arguments: [mean, one]), .real, name: "x", at: at(5, 5))
            let yt = b.emit(.index(y, t), .real)
            b.emit(.observe(AddressExpr("y", [t]), family: "Normal", arguments: [xt, half], value: yt), nil, at: at(6, 5))
            return []
        }
        let path = b.emit(.gather("x"), .array(.real), name: "path")
        b.emit(.ret(path), nil)
        return Module(functions: [b.finish()], entry: "StateSpace")
    }

    /// The burglary network (Pearl 1988) with JohnCalls and MaryCalls observed true.
    static func burglary() -> Module {
        var b = FunctionBuilder(name: "Burglary", kind: .model, parameters: [], returnType: .int)
        let burglary = b.emit(.sample(AddressExpr("burglary"), family: "Bernoulli", arguments: [b.constant(0.001)]), .int, name: "burglary", at: at(2, 3))
        let earthquake = b.emit(.sample(AddressExpr("earthquake"), family: "Bernoulli", arguments: [b.constant(0.002)]), .int, name: "earthquake", at: at(3, 3))
        let one = b.constant(1)
        let isB = b.emit(.binary(.eq, burglary, one), .bool)
        let isE = b.emit(.binary(.eq, earthquake, one), .bool)
        let pAlarm = b.ifElse(isB, resultTypes: [.real], names: ["pAlarm"], at: at(4, 3), then: { b in
            [b.ifElse(isE, resultTypes: [.real], then: { b in [b.constant(0.95)] }, otherwise: { b in [b.constant(0.94)] })[0]]
        }, otherwise: { b in
            [b.ifElse(isE, resultTypes: [.real], then: { b in [b.constant(0.29)] }, otherwise: { b in [b.constant(0.001)] })[0]]
        })[0]
        let alarm = b.emit(.sample(AddressExpr("alarm"), family: "Bernoulli", arguments: [pAlarm]), .int, name: "alarm", at: at(5, 3))
        let isA = b.emit(.binary(.eq, alarm, one), .bool)
        let pJohn = b.ifElse(isA, resultTypes: [.real], then: { b in [b.constant(0.90)] }, otherwise: { b in [b.constant(0.05)] })[0]
        let pMary = b.ifElse(isA, resultTypes: [.real], then: { b in [b.constant(0.70)] }, otherwise: { b in [b.constant(0.01)] })[0]
        b.emit(.observe(AddressExpr("john"), family: "Bernoulli", arguments: [pJohn], value: one), nil, at: at(6, 3))
        b.emit(.observe(AddressExpr("mary"), family: "Bernoulli", arguments: [pMary], value: one), nil, at: at(7, 3))
        b.emit(.ret(burglary), nil)
        return Module(functions: [b.finish()], entry: "Burglary")
    }

    /// fn chain(n) = n == 0 ? 0 : z ~ Normal(0, 1) + chain(n - 1); model returns chain(depth).
    static func recursive(depth: Int) -> Module {
        var f = FunctionBuilder(name: "chain", kind: .function, parameters: [("n", .int)], returnType: .real)
        let n = f.parameter(0)
        let zero = f.constant(0)
        let done = f.emit(.binary(.eq, n, zero), .bool)
        let result = f.ifElse(done, resultTypes: [.real], at: at(2, 3), then: { b in [b.constant(0.0)] }, otherwise: { b in
            let z = b.emit(.sample(AddressExpr("z"), family: "Normal", arguments: [b.constant(0.0), b.constant(1.0)]), .real, name: "z", at: at(3, 5))
            let m = b.emit(.binary(.sub, n, b.constant(1)), .int)
            let rest = b.emit(.call("chain", [m]), .real, at: at(4, 13))
            return [b.emit(.binary(.add, z, rest), .real)]
        })[0]
        f.emit(.ret(result), nil)
        var m = FunctionBuilder(name: "Chain", kind: .model, parameters: [], returnType: .real)
        let total = m.emit(.call("chain", [m.constant(depth)]), .real, name: "total", at: at(7, 3))
        m.emit(.report(AddressExpr("total"), total), nil)
        m.emit(.observe(AddressExpr("obs"), family: "Normal", arguments: [total, m.constant(1.0)], value: m.constant(0.5)), nil, at: at(8, 3))
        m.emit(.ret(total), nil)
        return Module(functions: [f.finish(), m.finish()], entry: "Chain")
    }
}
