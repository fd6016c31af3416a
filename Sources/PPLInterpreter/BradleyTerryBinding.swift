import PPLDistributions
import PPLIR
import PPLInference

/// Turns what `recognise-bradley-terry` found into comparison data by evaluating its data
/// expressions on the model's arguments, so the `rank` engine never sees the IR.
///
/// Bad data (an item index out of range, an item compared with itself, a result that is not
/// 0/1, or 0/1/2 for Davidson) makes the structure unavailable with a message naming the data
/// array, the element and the line of the likelihood; other engines are unaffected.
enum BradleyTerryBinding {
    static func bind(_ recognition: BradleyTerryRecognition?, arguments: [String: Value]) -> BradleyTerryAvailability? {
        switch recognition {
        case nil: return nil
        case .notRecognised(let reason)?:
            return .unavailable("the rank engine needs a Bradley-Terry model, and this one is not: \(reason)")
        case .recognised(let fact)?:
            do { return .available(try structure(fact, arguments)) } catch {
                return .unavailable(error.message)
            }
        }
    }

    struct Failure: Error { var message: String }

    static func structure(_ fact: BradleyTerryFact, _ arguments: [String: Value]) throws(Failure) -> BradleyTerryStructure {
        let evaluator = Evaluator(arguments: arguments)
        let priorPlace = fact.priorLocation.map { " at \($0)" } ?? ""
        guard let itemCount = try evaluator.evaluate(fact.itemCount, loopIndex: nil).asInt, itemCount >= 1 else {
            throw Failure(message: "\(fact.priorLocation.map { "\($0): " } ?? "")the number of strengths '\(fact.itemCount)' must be a positive integer")
        }
        var priorArguments: [Double] = []
        for argument in fact.priorArguments {
            guard let x = try evaluator.evaluate(argument, loopIndex: nil).asReal else {
                throw Failure(message: "the prior of '\(fact.strengths)'\(priorPlace) has a parameter '\(argument)' that is not a number")
            }
            priorArguments.append(x)
        }
        let written = "\(fact.priorFamily)(\(priorArguments.map { formatReal($0) }.joined(separator: ", "))) on \(fact.scale == .strength ? "strengths" : "log-strengths")\(priorPlace)"
        let prior: BradleyTerryStructure.Prior
        switch (fact.scale, fact.priorFamily, priorArguments) {
        case (.strength, "Gamma", let p) where p.count == 2: prior = .gamma(shape: p[0], rate: p[1])
        case (.strength, "Exponential", let p) where p.count == 1: prior = .gamma(shape: 1, rate: p[0])
        case (.logStrength, "Logistic", let p) where p == [0, 1]: prior = .newman
        default: prior = .other(written)
        }
        let names = (0..<itemCount).map { "\(fact.strengths)[\($0)]" }
        var comparisons: [ComparisonData.Comparison] = []
        for statement in fact.comparisons {
            let place = statement.location.map { "\($0): " } ?? ""
            let range: Range<Int>
            if let loop = statement.loop {
                guard let lower = try evaluator.evaluate(loop.lower, loopIndex: nil).asInt,
                      let upper = try evaluator.evaluate(loop.upper, loopIndex: nil).asInt else {
                    throw Failure(message: "\(place)the bounds of the loop over '\(loop.index)' must be integers")
                }
                // Far more comparisons than any data array holds means the bound is not a data size.
                let (span, overflow) = max(lower, upper).subtractingReportingOverflow(lower)
                guard !overflow, span <= 100_000_000 else {
                    throw Failure(message: "\(place)the loop over '\(loop.index)' from \(lower) to \(upper) is too long; the rank engine takes at most 10^8 comparisons")
                }
                range = lower..<(lower + span)
            } else {
                range = 0..<1
            }
            let isDavidson = statement.form.hasPrefix("Davidson(")
            for k in range {
                let at = statement.loop.map { " at \($0.index) = \(k)" } ?? ""
                func item(_ expr: DataExpr) throws(Failure) -> Int {
                    let value = try evaluator.evaluate(expr, loopIndex: k)
                    guard let index = value.asInt, case .int = value else {
                        throw Failure(message: "\(place)comparison data: '\(expr)'\(at)\(Self.element(expr, k)) is \(value), not an item index")
                    }
                    guard (0..<itemCount).contains(index) else {
                        throw Failure(message: "\(place)comparison data: '\(expr)'\(at)\(Self.element(expr, k)) is \(index), "
                                      + "not an item index in 0 ..< \(itemCount) (the strengths '\(fact.strengths)'\(priorPlace))")
                    }
                    return index
                }
                let first = try item(statement.first), second = try item(statement.second)
                guard first != second else {
                    throw Failure(message: "\(place)comparison data: '\(statement.first)' and '\(statement.second)'\(at) are both item \(first)"
                                  + "\(Self.element(statement.first, k)): an item cannot be compared with itself")
                }
                let result = try evaluator.evaluate(statement.outcome, loopIndex: k)
                let outcome: ComparisonData.Outcome
                switch result.asInt {
                case 1?: outcome = .firstWins
                case 0?: outcome = .secondWins
                case 2? where isDavidson: outcome = .tie
                default:
                    throw Failure(message: "\(place)comparison data: the result '\(statement.outcome)'\(at)\(Self.element(statement.outcome, k)) is \(result); "
                                  + (isDavidson ? "Davidson takes 1 (first wins), 0 (second wins) or 2 (draw)" : "it must be 1 (first wins) or 0 (second wins)"))
                }
                comparisons.append(ComparisonData.Comparison(first: first, second: second, outcome: outcome,
                                                             venue: statement.firstAtHome ? .firstAtHome : .neutral))
            }
        }
        let data: ComparisonData
        do { data = try ComparisonData(itemNames: names, comparisons: comparisons) } catch {
            throw Failure(message: "comparison data: \(error)")
        }
        let location = fact.comparisons.first?.location?.description ?? ""
        return BradleyTerryStructure(strengths: fact.strengths, scale: fact.scale == .strength ? .strength : .logStrength,
                                     prior: prior, data: data, home: fact.home, homeIsLogScale: fact.scale == .logStrength,
                                     tie: fact.tie, location: location)
    }

    /// ` (element 17 of 'winner')` when the expression reads a data array at the loop index.
    static func element(_ expr: DataExpr, _ k: Int) -> String {
        if case .element(.parameter(let name), .loopIndex) = expr { return " (element \(k) of '\(name)')" }
        return ""
    }

    /// Evaluates data expressions on bound arguments; failures name the expression.
    struct Evaluator {
        let arguments: [String: Value]

        func evaluate(_ expr: DataExpr, loopIndex k: Int?) throws(Failure) -> Value {
            switch expr {
            case .int(let n): return .int(n)
            case .real(let x): return .real(x)
            case .bool(let b): return .bool(b)
            case .parameter(let name):
                guard let value = arguments[name] else { throw Failure(message: "no value bound for '\(name)'") }
                return value
            case .loopIndex(let name):
                guard let k else { throw Failure(message: "'\(name)' used outside its loop") }
                return .int(k)
            case .length(let a):
                guard let xs = try evaluate(a, loopIndex: k).asArray else { throw Failure(message: "'\(a)' is not an array") }
                return .int(xs.count)
            case .element(let a, let i):
                guard let xs = try evaluate(a, loopIndex: k).asArray else { throw Failure(message: "'\(a)' is not an array") }
                guard let n = try evaluate(i, loopIndex: k).asInt, xs.indices.contains(n) else {
                    throw Failure(message: "'\(expr)' reads past the end of '\(a)' (\(xs.count) elements)")
                }
                return xs[n]
            case .negate(let a):
                let v = try evaluate(a, loopIndex: k)
                if case .int(let n) = v { return .int(-n) }
                guard let x = v.asReal else { throw Failure(message: "'\(a)' is not a number") }
                return .real(-x)
            case .binary(let op, let a, let b):
                let x = try evaluate(a, loopIndex: k), y = try evaluate(b, loopIndex: k)
                if case .int(let m) = x, case .int(let n) = y {
                    switch op {
                    case .add: return .int(m &+ n)
                    case .sub: return .int(m &- n)
                    case .mul: return .int(m &* n)
                    case .div where n != 0: return .int(m / n)
                    case .mod where n != 0: return .int(m % n)
                    default: throw Failure(message: "'\(expr)' divides by zero")
                    }
                }
                guard let u = x.asReal, let v = y.asReal else { throw Failure(message: "'\(expr)' is not a number") }
                switch op {
                case .add: return .real(u + v)
                case .sub: return .real(u - v)
                case .mul: return .real(u * v)
                case .div: return .real(u / v)
                default: return .real(u.truncatingRemainder(dividingBy: v))
                }
            }
        }
    }
}
