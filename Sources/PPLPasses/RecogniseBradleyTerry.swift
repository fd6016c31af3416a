import PPLDiagnostics
import PPLIR

/// Finds a Bradley-Terry likelihood over an array of strengths and records the comparison
/// structure (which data give the two items and the result, how many items, the prior) for
/// the `rank` engine.
///
/// The model must have one latent array `s[k]`, drawn in a loop `for k in 0 ..< n` from one
/// prior, and observations that read it only in one of the forms
///
///     y ~ BradleyTerry(s[i], s[j])                   P(y = 1) = s_i / (s_i + s_j)
///     y ~ Bernoulli(s[i] / (s[i] + s[j]))            the same, written out
///     y ~ Bernoulli(logistic(b[i] - b[j]))           b = log s (the array holds log-strengths)
///     y ~ Davidson(s[i], s[j], nu)                   draws (y = 2) with a tie parameter nu
///
/// where i, j and y are computed from data and the index of at most one loop over comparisons.
/// A home advantage is a scalar latent h multiplying the first strength (`h * s[i]`) or, on the
/// log scale, added to it (`h + b[i] - b[j]`). Any other latent choice, any other use of the
/// strengths (a branch, a loop bound, another likelihood) makes the model not Bradley-Terry, and
/// the fact says where and why. The pass only records facts; it changes no instruction.
/// (Bradley & Terry 1952; Davidson 1970; Agresti 1990 sec. 10.1 for the home factor.)
public struct RecogniseBradleyTerry: Pass {
    public static let name = "recognise-bradley-terry"
    public init() {}

    public func run(_ module: inout Module) throws {
        guard let entry = module.entryFunction else { return }
        var analysis = BradleyTerryAnalysis(function: entry)
        module.facts.bradleyTerry = analysis.recognise()
    }
}

/// How a value depends on the model's latent choices, in the vocabulary of Bradley-Terry likelihoods.
private indirect enum Symbol: Equatable {
    /// Computed from data alone.
    case data(DataExpr)
    /// Computed from data, but not in a form the binder evaluates (only a problem if used as an index or outcome).
    case opaqueData
    /// A scalar latent (home factor, tie parameter), e.g. `h`.
    case scalar(String)
    /// `root[index]`, possibly combined with the home latent (`h * s[i]` or `h + b[i]`).
    case element(Element)
    /// `x + y` of two strengths.
    case strengthSum(Element, Element)
    /// `x / (x + y)` of strengths: P(first beats second).
    case probability(Element, Element)
    /// `x - y` of log-strengths.
    case difference(Element, Element)
    /// `logistic(x - y)`: P(first beats second).
    case logitProbability(Element, Element)
    /// Depends on a latent some other way.
    case other
}

private struct Element: Equatable {
    var root: String
    var index: DataExpr
    var home: String?
    /// `mul` when the home factor multiplies a strength, `add` when it is added to a log-strength.
    var homeOperation: BinaryOp?
}

/// One pass over the entry function, building symbols and collecting latent sites and likelihoods.
private struct BradleyTerryAnalysis {
    let function: Function
    var symbols: [ValueID: Symbol] = [:]
    /// Enclosing `for` loops: induction value, its source name and bounds (as data when they are).
    var loops: [(index: ValueID, name: String, lower: Symbol, upper: Symbol)] = []
    var insideBranch = 0
    var insideWhile = 0
    /// Latent sites in program order.
    var latents: [(root: String, family: String, arguments: [Symbol], indices: [Symbol], loopDepth: Int,
                   loop: (index: ValueID, name: String, lower: Symbol, upper: Symbol)?, location: SourceLocation?)] = []
    var likelihoods: [(instruction: Instruction, site: String, family: String, arguments: [Symbol], value: Symbol,
                       loops: [(index: ValueID, name: String, lower: Symbol, upper: Symbol)])] = []
    var rejection: String?

    init(function: Function) {
        self.function = function
    }

    mutating func reject(_ reason: String, _ location: SourceLocation?) {
        guard rejection == nil else { return }
        rejection = reason + (location.map { " at \($0)" } ?? "")
    }

    func symbol(_ value: ValueID) -> Symbol { symbols[value] ?? .opaqueData }

    func name(_ value: ValueID) -> String {
        function.values.indices.contains(value.raw) ? function.values[value.raw].name ?? "%\(value.raw)" : "%\(value.raw)"
    }

    mutating func recognise() -> BradleyTerryRecognition {
        for parameter in function.parameters { symbols[parameter.value] = .data(.parameter(parameter.name)) }
        visit(function.body)
        if let rejection { return .notRecognised(rejection) }
        return decide()
    }

    mutating func visit(_ region: Region) {
        for instruction in region.instructions { visit(instruction) }
    }

    mutating func set(_ instruction: Instruction, _ symbol: Symbol) {
        if let result = instruction.result { symbols[result] = symbol }
    }

    mutating func visit(_ instruction: Instruction) {
        let at = instruction.location
        switch instruction.op {
        case .constant(let c):
            switch c {
            case .real(let x): set(instruction, .data(.real(x)))
            case .int(let n): set(instruction, .data(.int(n)))
            case .bool(let b): set(instruction, .data(.bool(b)))
            }
        case .unary(let op, let a):
            switch (op, symbol(a)) {
            case (.neg, .data(let e)): set(instruction, .data(.negate(e)))
            case (_, .data), (_, .opaqueData): set(instruction, .opaqueData)
            default: set(instruction, .other)
            }
        case .toReal(let a), .convert(let a):
            set(instruction, symbol(a))
        case .binary(let op, let a, let b):
            set(instruction, binary(op, symbol(a), symbol(b)))
        case .builtin(let f, let args):
            let xs = args.map(symbol)
            if f == .len, case .data(let e)? = xs.first { set(instruction, .data(.length(e))) }
            else if f == .logistic, case .difference(let x, let y)? = xs.first { set(instruction, .logitProbability(x, y)) }
            else if xs.allSatisfy(Self.isData) { set(instruction, .opaqueData) }
            else { set(instruction, .other) }
        case .array(let xs):
            set(instruction, xs.map(symbol).allSatisfy(Self.isData) ? .opaqueData : .other)
        case .index(let a, let i):
            switch (symbol(a), symbol(i)) {
            case (.data(let x), .data(let k)): set(instruction, .data(.element(x, k)))
            case (let x, let k) where Self.isData(x) && Self.isData(k): set(instruction, .opaqueData)
            default: set(instruction, .other)
            }
        case .setIndex(let a, let i, let v):
            set(instruction, [a, i, v].map(symbol).allSatisfy(Self.isData) ? .opaqueData : .other)
        case .gather:
            set(instruction, .other)
        case .load(let address):
            set(instruction, read(address, at))
        case .sample(let address, let family, let args):
            let indices = address.indexValues.map(symbol)
            if !indices.allSatisfy(Self.isData) { reject("the address of '\(address.root)' depends on a random choice", at) }
            if insideBranch > 0 || insideWhile > 0 {
                reject("the latent choice '\(address.root)' is made inside an 'if' or 'while'", at)
            }
            latents.append((address.root, family, args.map(symbol), indices, loops.count, loops.last, at))
            set(instruction, read(address, at))
        case .observe(let address, let family, let args, let value):
            let arguments = args.map(symbol)
            if arguments.allSatisfy(Self.isData) && Self.isData(symbol(value)) { break }
            if insideBranch > 0 || insideWhile > 0 {
                reject("the observation '\(RecogniseConjugacy.sitePattern(address))' of the strengths is inside an 'if' or 'while'", at)
            }
            likelihoods.append((instruction, RecogniseConjugacy.sitePattern(address), family, arguments, symbol(value), loops))
        case .factor(let v):
            if !Self.isData(symbol(v)) { reject("a 'factor' reads a random choice", at) }
        case .report, .ret, .yield:
            break
        case .call(let callee, let args):
            if !args.map(symbol).allSatisfy(Self.isData) {
                reject("a random choice is passed to '\(callee)'", at)
            }
            set(instruction, .other)
        case .condition:
            break
        case .forLoop(let loop):
            let lower = symbol(loop.lower), upper = symbol(loop.upper)
            if !Self.isData(lower) || !Self.isData(upper) { reject("a loop bound depends on a random choice", at) }
            if !loop.initial.map(symbol).allSatisfy(Self.isData) { reject("a loop carries a value computed from a random choice", at) }
            guard let induction = loop.body.arguments.first else { visit(loop.body); break }
            symbols[induction] = .data(.loopIndex(name(induction)))
            for carried in loop.body.arguments.dropFirst() { symbols[carried] = .opaqueData }
            loops.append((induction, name(induction), lower, upper))
            visit(loop.body)
            loops.removeLast()
            if case .yield(let ys)? = loop.body.instructions.last?.op, !ys.map(symbol).allSatisfy(Self.isData) {
                reject("a loop carries a value computed from a random choice", at)
            }
            for r in instruction.results { symbols[r] = .opaqueData }
        case .ifElse(let branch):
            if !Self.isData(symbol(branch.condition)) { reject("a branch depends on a random choice", at) }
            insideBranch += 1
            visit(branch.then)
            visit(branch.otherwise)
            insideBranch -= 1
            for region in [branch.then, branch.otherwise] {
                if case .yield(let ys)? = region.instructions.last?.op, !ys.map(symbol).allSatisfy(Self.isData) {
                    reject("an 'if' yields a value computed from a random choice", at)
                }
            }
            for r in instruction.results { symbols[r] = .opaqueData }
        case .whileLoop(let loop):
            for region in [loop.before, loop.body] { for a in region.arguments { symbols[a] = .opaqueData } }
            insideWhile += 1
            visit(loop.before)
            visit(loop.body)
            insideWhile -= 1
            if case .condition(let c, _)? = loop.before.instructions.last?.op, !Self.isData(symbol(c)) {
                reject("a 'while' condition depends on a random choice", at)
            }
            for r in instruction.results { symbols[r] = .opaqueData }
        }
    }

    static func isData(_ s: Symbol) -> Bool {
        switch s {
        case .data, .opaqueData: true
        default: false
        }
    }

    /// The symbol for reading the latent at `address`: a scalar latent, or an element of a latent array.
    mutating func read(_ address: AddressExpr, _ at: SourceLocation?) -> Symbol {
        let indices = address.indexValues.map(symbol)
        guard address.components.count == indices.count + 1 else { return .other }
        if indices.isEmpty { return .scalar(address.root) }
        guard indices.count == 1, case .data(let index) = indices[0] else { return .other }
        return .element(Element(root: address.root, index: index))
    }

    func binary(_ op: BinaryOp, _ a: Symbol, _ b: Symbol) -> Symbol {
        if case .data(let x) = a, case .data(let y) = b, [.add, .sub, .mul, .div, .mod].contains(op) {
            return .data(.binary(op, x, y))
        }
        if Self.isData(a) && Self.isData(b) { return .opaqueData }
        switch (op, a, b) {
        case (.mul, .scalar(let h), .element(var x)), (.mul, .element(var x), .scalar(let h)):
            guard x.home == nil else { return .other }
            x.home = h
            x.homeOperation = .mul
            return .element(x)
        case (.add, .scalar(let h), .element(var x)), (.add, .element(var x), .scalar(let h)):
            guard x.home == nil else { return .other }
            x.home = h
            x.homeOperation = .add
            return .element(x)
        case (.add, .element(let x), .element(let y)):
            return .strengthSum(x, y)
        case (.sub, .element(let x), .element(let y)):
            return .difference(x, y)
        case (.add, .difference(var x, let y), .scalar(let h)), (.add, .scalar(let h), .difference(var x, let y)):
            guard x.home == nil, y.home == nil else { return .other }
            x.home = h
            x.homeOperation = .add
            return .difference(x, y)
        case (.div, .element(let x), .strengthSum(let p, let q)):
            if x == p { return .probability(p, q) }
            if x == q { return .probability(q, p) }
            return .other
        default:
            return .other
        }
    }

    /// Checks the collected latents and likelihoods against the Bradley-Terry forms.
    func decide() -> BradleyTerryRecognition {
        guard !likelihoods.isEmpty else {
            return .notRecognised("no observation reads a random choice, so there are no comparisons to rank")
        }
        var comparisons: [BradleyTerryComparison] = []
        var strengths: String?
        var scale: BradleyTerryFact.Scale?
        var home: String?
        var tie: String?
        for likelihood in likelihoods {
            let at = likelihood.instruction.location
            let place = at.map { " at \($0)" } ?? ""
            let written = "'\(likelihood.site) ~ \(likelihood.family)(...)'\(place)"
            var pair: (Element, Element)
            var form: String
            var thisScale: BradleyTerryFact.Scale
            var thisTie: String?
            switch (likelihood.family, likelihood.arguments) {
            case ("BradleyTerry", let args) where args.count == 2:
                guard case .element(let x) = args[0], case .element(let y) = args[1] else {
                    return .notRecognised("\(written): its arguments must be two elements of the strength array, like 's[i]' and 's[j]' (or 'h * s[i]' for a home advantage)")
                }
                (pair, form, thisScale) = ((x, y), "BradleyTerry", .strength)
            case ("Davidson", let args) where args.count == 3:
                guard case .element(let x) = args[0], case .element(let y) = args[1], case .scalar(let nu) = args[2] else {
                    return .notRecognised("\(written): its arguments must be 's[i]', 's[j]' and a scalar latent tie parameter")
                }
                (pair, form, thisScale, thisTie) = ((x, y), "Davidson", .strength, nu)
            case ("Bernoulli", let args) where args.count == 1:
                switch args[0] {
                case .probability(let x, let y): (pair, form, thisScale) = ((x, y), "Bernoulli(s[i] / (s[i] + s[j]))", .strength)
                case .logitProbability(let x, let y):
                    (pair, form, thisScale) = ((x, y), "Bernoulli(logistic(b[i] - b[j]))", .logStrength)
                default:
                    return .notRecognised("\(written): its probability is not 's[i] / (s[i] + s[j])' or 'logistic(b[i] - b[j])' of one latent array")
                }
            default:
                return .notRecognised("\(written) reads a random choice but is not a Bradley-Terry likelihood "
                                      + "(BradleyTerry, Davidson, or Bernoulli of s[i] / (s[i] + s[j]) or logistic(b[i] - b[j]))")
            }
            let (first, second) = pair
            guard first.root == second.root else {
                return .notRecognised("\(written): the two items come from different arrays '\(first.root)' and '\(second.root)'")
            }
            guard second.home == nil else {
                return .notRecognised("\(written): write the home factor on the first item ('h * s[i]' or 'h + b[i] - b[j]')")
            }
            if let h = first.home {
                let expected: BinaryOp = thisScale == .strength ? .mul : .add
                guard first.homeOperation == expected else {
                    return .notRecognised("\(written): a home factor \(thisScale == .strength ? "multiplies the strength ('h * s[i]')" : "is added to the log-strength ('h + b[i] - b[j]')")")
                }
                if let home, home != h { return .notRecognised("\(written): two home factors, '\(home)' and '\(h)'") }
                home = h
            }
            if let s = strengths, s != first.root {
                return .notRecognised("\(written): the comparisons read two strength arrays, '\(s)' and '\(first.root)'")
            }
            if let scale, scale != thisScale {
                return .notRecognised("\(written): some comparisons read strengths and others log-strengths")
            }
            if let t = thisTie {
                if let tie, tie != t { return .notRecognised("\(written): two tie parameters, '\(tie)' and '\(t)'") }
                tie = t
            }
            strengths = first.root
            scale = thisScale
            guard case .data(let outcome) = likelihood.value else {
                return .notRecognised("\(written): the observed result must be data (a constant or an element of a data array)")
            }
            let enclosing = likelihood.loops
            guard enclosing.count <= 1 else {
                return .notRecognised("\(written): comparisons must sit in one loop over the data, not \(enclosing.count) nested loops")
            }
            var loop: (index: String, lower: DataExpr, upper: DataExpr)?
            if let l = enclosing.first {
                guard case .data(let lower) = l.lower, case .data(let upper) = l.upper else {
                    return .notRecognised("\(written): the bounds of its loop over '\(l.name)' are not data the rank engine can evaluate")
                }
                loop = (l.name, lower, upper)
            }
            let h = first.home.map { thisScale == .strength ? "\($0) * " : "\($0) + " } ?? ""
            let r = first.root
            switch form {
            case "BradleyTerry": form = "BradleyTerry(\(h)\(r)[i], \(r)[j])"
            case "Davidson": form = "Davidson(\(h)\(r)[i], \(r)[j], \(thisTie ?? ""))"
            case _ where thisScale == .strength: form = "Bernoulli(\(h)\(r)[i] / (\(h)\(r)[i] + \(r)[j]))"
            default: form = "Bernoulli(logistic(\(h)\(r)[i] - \(r)[j]))"
            }
            comparisons.append(BradleyTerryComparison(site: likelihood.site, form: form, loop: loop, first: first.index,
                                                      second: second.index, outcome: outcome,
                                                      firstAtHome: first.home != nil, location: at))
        }
        guard let strengths, let scale else { return .notRecognised("no comparisons found") }
        // Every latent must be a strength, the home factor or the tie parameter.
        var prior: (family: String, arguments: [DataExpr], itemCount: DataExpr, location: SourceLocation?)?
        for latent in latents {
            let place = latent.location.map { " at \($0)" } ?? ""
            if latent.root == home || latent.root == tie {
                guard latent.indices.isEmpty else {
                    return .notRecognised("the \(latent.root == home ? "home factor" : "tie parameter") '\(latent.root)'\(place) must be one scalar choice")
                }
                continue
            }
            guard latent.root == strengths else {
                return .notRecognised("the latent choice '\(latent.root)'\(place) is not a strength, the home factor or the tie parameter; "
                                      + "the rank engine needs a model whose only random choices are those")
            }
            guard prior == nil else {
                return .notRecognised("the strengths '\(strengths)' are drawn in more than one statement (again\(place)); draw them in one loop")
            }
            guard latent.loopDepth == 1, let loop = latent.loop, latent.indices.count == 1,
                  case .data(.loopIndex(let k)) = latent.indices[0], k == loop.name,
                  case .data(let lower) = loop.lower, case .data(let upper) = loop.upper else {
                return .notRecognised("the strengths must be drawn as '\(strengths)[k] ~ D(...)' in one loop 'for k in 0 ..< n'\(place)")
            }
            guard Self.isZero(lower) else {
                return .notRecognised("the loop drawing '\(strengths)' must start at 0\(place)")
            }
            var arguments: [DataExpr] = []
            for argument in latent.arguments {
                guard case .data(let e) = argument, !Self.mentionsLoopIndex(e) else {
                    return .notRecognised("the prior of '\(strengths)'\(place) must have the same data-valued parameters for every item")
                }
                arguments.append(e)
            }
            prior = (latent.family, arguments, upper, latent.location)
        }
        guard let prior else {
            return .notRecognised("the strengths '\(strengths)' are not drawn as latent choices")
        }
        return .recognised(BradleyTerryFact(strengths: strengths, scale: scale, itemCount: prior.itemCount,
                                            priorFamily: prior.family, priorArguments: prior.arguments,
                                            priorLocation: prior.location, home: home, tie: tie, comparisons: comparisons))
    }

    static func isZero(_ e: DataExpr) -> Bool {
        switch e {
        case .int(0): true
        case .real(let x): x == 0
        default: false
        }
    }

    static func mentionsLoopIndex(_ e: DataExpr) -> Bool {
        switch e {
        case .loopIndex: true
        case .int, .real, .bool, .parameter: false
        case .length(let a), .negate(let a): mentionsLoopIndex(a)
        case .element(let a, let b), .binary(_, let a, let b): mentionsLoopIndex(a) || mentionsLoopIndex(b)
        }
    }
}
