import PPLDiagnostics
import PPLDistributions
import PPLSyntax

/// Every error and warning the checker can emit, worded in one place (lowercase, names in
/// single quotes, no full stop, as the Swift compiler words them).
enum SemaDiagnostic {
    case undefinedName(String)
    case usedBeforeDefinition(String)
    case redeclaration(String)
    case unknownType(String)
    case unknownDistribution(String)
    case notADistribution(String, what: String)
    case distributionAsValue(String)
    case distributionArity(String, parameters: [String], given: Int)
    case distributionArgumentType(family: String, parameter: String, expected: ValueType, found: ValueType)
    case vectorisedScalarTarget(family: String)
    case unknownFunction(String)
    case functionArity(String, expected: Int, given: Int)
    case functionArgumentType(function: String, parameter: String, expected: ValueType, found: ValueType)
    case builtinArity(String, expected: String, given: Int)
    case builtinArgumentType(String, position: Int, expected: String, found: ValueType)
    case modelCalled(String)
    case notAValue(String, what: String)
    case voidValue(String)
    case unusedResult(String)
    case binaryOperands(BinaryOperator, ValueType, ValueType)
    case unaryOperand(String, ValueType)
    case conditionType(ValueType)
    case indexNonArray(ValueType)
    case indexType(ValueType)
    case arrayElementTypes(ValueType, ValueType)
    case conditionalBranchTypes(ValueType, ValueType)
    case tildeTarget
    case latentInLoop(String)
    case duplicateLatent(String)
    case observationType(family: String, draws: ValueType, found: ValueType)
    case latentElementType(String, holds: ValueType, family: String, draws: ValueType)
    case drawIntoNonValue(String, what: String)
    case assignToImmutable(String, what: String)
    case assignTarget
    case bindingType(String, declared: ValueType, found: ValueType)
    case assignType(String, expected: ValueType, found: ValueType)
    case returnValueFromVoid(String)
    case returnWithoutValue(String, expected: ValueType)
    case returnType(String, expected: ValueType, found: ValueType)
    case missingReturn(String, expected: ValueType)
    case modelReturnTypes(String, ValueType, ValueType)
    case unboundedWhile
    case whileBoundType(ValueType)
    case rangeBoundType(ValueType)
    case loopOverNonArray(ValueType)
    case factorType(ValueType)
    case fieldOutsideQuery
    case unknownModel(String)
    case modelArity(String, expected: Int, given: Int)
    case modelArgumentType(model: String, parameter: String, expected: ValueType, found: ValueType)
    case notAnAddress(clause: String)
    case unknownAddress(clause: String, address: String, model: String)
    case interveneOnData(String)
    case unknownEngine(String)
    case duplicateEngineOption(String)
    case duplicateAddress(clause: String, address: String)
    case stochasticCallOutsideModel(String)
    case counterfactualWithoutDo
    case engineOptionType(String, found: ValueType)
    case engineOptionRange(String, minimum: Int)
    case enumerateContinuous(String, family: String)
    case addressValueType(clause: String, address: String, expected: ValueType, found: ValueType)

    var message: String {
        switch self {
        case .undefinedName(let n): "use of undefined name '\(n)'"
        case .usedBeforeDefinition(let n): "use of '\(n)' before its definition"
        case .redeclaration(let n): "invalid redeclaration of '\(n)'"
        case .unknownType(let n): "unknown type '\(n)'"
        case .unknownDistribution(let n): "unknown distribution '\(n)'"
        case .notADistribution(let n, let what): "'\(n)' is \(what), not a distribution"
        case .distributionAsValue(let n): "distribution '\(n)' cannot be used as a value"
        case .distributionArity(let n, let ps, let given):
            "distribution '\(n)' takes \(count(ps.count, "argument")) (\(ps.joined(separator: ", "))) but \(given) \(given == 1 ? "was" : "were") given"
        case .distributionArgumentType(let f, let p, let e, let found):
            "argument '\(p)' of '\(f)' must be '\(e)', found '\(found)'"
        case .vectorisedScalarTarget(let f):
            "array arguments to '\(f)' draw an array, but the left side is a single value"
        case .unknownFunction(let n): "use of undefined function '\(n)'"
        case .functionArity(let n, let e, let g):
            "function '\(n)' takes \(count(e, "argument")) but \(g) \(g == 1 ? "was" : "were") given"
        case .functionArgumentType(let f, let p, let e, let found):
            "argument '\(p)' of '\(f)' must be '\(e)', found '\(found)'"
        case .builtinArity(let n, let e, let g):
            "built-in '\(n)' takes \(e) argument\(e == "1" ? "" : "s") but \(g) \(g == 1 ? "was" : "were") given"
        case .builtinArgumentType(let n, let i, let e, let found):
            "argument \(i + 1) of '\(n)' must be \(e), found '\(found)'"
        case .modelCalled(let n): "model '\(n)' cannot be called"
        case .notAValue(let n, let what): "'\(n)' is \(what), not a value"
        case .voidValue(let n): "function '\(n)' does not return a value"
        case .unusedResult(let n): "result of '\(n)' is unused"
        case .binaryOperands(let op, let l, let r):
            "operator '\(op.rawValue)' cannot be applied to '\(l)' and '\(r)'"
        case .unaryOperand(let op, let t): "operator '\(op)' cannot be applied to '\(t)'"
        case .conditionType(let t): "condition must be 'Bool' or 'Int', found '\(t)'"
        case .indexNonArray(let t): "cannot index a value of type '\(t)'"
        case .indexType(let t): "index must be 'Int', found '\(t)'"
        case .arrayElementTypes(let a, let b): "array elements have different types '\(a)' and '\(b)'"
        case .conditionalBranchTypes(let a, let b): "branches of '?:' have different types '\(a)' and '\(b)'"
        case .tildeTarget: "left side of '~' must be a name or an indexed name"
        case .latentInLoop(let n): "latent '\(n)' would be drawn again on every iteration of the loop"
        case .duplicateLatent(let n): "duplicate latent address '\(n)'"
        case .observationType(let f, let d, let found):
            "cannot observe a value of type '\(found)' with '\(f)', which draws '\(d)'"
        case .latentElementType(let n, let holds, let f, let d):
            "'\(n)' holds '\(holds)' values but '\(f)' draws '\(d)'"
        case .drawIntoNonValue(let n, let what): "cannot draw into '\(n)': it is \(what)"
        case .assignToImmutable(let n, let what): "cannot assign to '\(n)': it is \(what)"
        case .assignTarget: "left side of '=' must be a variable or an element of one"
        case .bindingType(let n, let d, let found): "cannot bind a value of type '\(found)' to '\(n)' of type '\(d)'"
        case .assignType(let n, let e, let found): "cannot assign a value of type '\(found)' to '\(n)' of type '\(e)'"
        case .returnValueFromVoid(let n): "function '\(n)' does not declare a return type"
        case .returnWithoutValue(let n, let e): "function '\(n)' must return a value of type '\(e)'"
        case .returnType(let n, let e, let found):
            "cannot return a value of type '\(found)' from '\(n)', which returns '\(e)'"
        case .missingReturn(let n, let e): "function '\(n)' does not return a '\(e)' on every path"
        case .modelReturnTypes(let n, let a, let b): "model '\(n)' returns values of different types '\(a)' and '\(b)'"
        case .unboundedWhile: "'while' loop needs a step bound"
        case .whileBoundType(let t): "step bound must be 'Int', found '\(t)'"
        case .rangeBoundType(let t): "range bound must be 'Int', found '\(t)'"
        case .loopOverNonArray(let t): "cannot loop over a value of type '\(t)'"
        case .factorType(let t): "'factor' takes a 'Real' log weight, found '\(t)'"
        case .fieldOutsideQuery: "'.' is only for addresses in queries"
        case .unknownModel(let n): "unknown model '\(n)'"
        case .modelArity(let n, let e, let g):
            "model '\(n)' takes \(count(e, "argument")) but \(g) \(g == 1 ? "was" : "were") given"
        case .modelArgumentType(let m, let p, let e, let found):
            "argument '\(p)' of model '\(m)' must be '\(e)', found '\(found)'"
        case .notAnAddress(let clause): "'\(clause)' target must be an address such as 'p', 'z[3]' or 'step[2].x'"
        case .unknownAddress(let clause, let a, let m): "'\(clause)' names '\(a)', which is not a random choice of model '\(m)'"
        case .interveneOnData(let n): "cannot intervene on '\(n)': it is data, not a random choice"
        case .unknownEngine(let n): "unknown engine '\(n)'"
        case .duplicateEngineOption(let n): "duplicate engine option '\(n)'"
        case .duplicateAddress(let clause, let a): "address '\(a)' appears twice in '\(clause)'"
        case .counterfactualWithoutDo: "'counterfactual' needs a 'do' clause"
        case .engineOptionType(let n, let found): "engine option '\(n)' must be an 'Int', found '\(found)'"
        case .engineOptionRange(let n, let minimum): "engine option '\(n)' must be at least \(minimum)"
        case .enumerateContinuous(let n, let f):
            "engine 'enumerate' needs finitely many worlds, but '\(n)' is drawn from the continuous '\(f)'"
        case .addressValueType(let clause, let a, let e, let found):
            "'\(clause)' gives '\(a)' a value of type '\(found)', but it holds '\(e)'"
        case .stochasticCallOutsideModel(let n): "function '\(n)' makes random choices and can be called only from a model or function"
        }
    }

    /// The case's name, so tests can show that every case is exercised.
    var code: String {
        Mirror(reflecting: self).children.first?.label ?? String(describing: self)
    }

    var severity: Diagnostic.Severity {
        switch self {
        case .unusedResult: .warning
        default: .error
        }
    }
}

private func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

/// The closest candidate to a misspelled name, if close enough to be a likely typo.
func closestName(to name: String, among candidates: some Sequence<String>) -> String? {
    // One- and two-letter names are too short for a guess to mean anything.
    guard name.count >= 3 else { return nil }
    let limit = max(1, name.count / 3)
    var best: (String, Int)?
    let source = Array(name.lowercased())
    for candidate in candidates where candidate != name {
        let target = Array(candidate.lowercased())
        if abs(target.count - source.count) > limit { continue }
        let d = editDistance(source, target)
        if d <= limit, best.map({ d < $0.1 || (d == $0.1 && candidate < $0.0) }) ?? true { best = (candidate, d) }
    }
    return best?.0
}

/// Edit distance counting insertions, deletions, substitutions and swaps of neighbours
/// (optimal string alignment; Damerau 1964), so 'Rael' is one edit from 'Real'.
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var before = Array(repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var row = Array(repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        row[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            row[j] = min(previous[j - 1] + cost, previous[j] + 1, row[j - 1] + 1)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                row[j] = min(row[j], before[j - 2] + 1)
            }
        }
        (before, previous, row) = (previous, row, before)
    }
    return previous[b.count]
}
