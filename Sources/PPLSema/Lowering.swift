import PPLDiagnostics
import PPLDistributions
import PPLIR
import PPLSyntax

/// A construct lowering cannot express, named with its place.
public struct LoweringError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var span: SourceSpan?
    public init(_ message: String, at span: SourceSpan?) {
        self.message = message
        self.span = span
    }
    public var diagnostic: Diagnostic { .error(message, at: span) }
    public var description: String {
        (span.map { "\($0.location): " } ?? "") + "error: \(message)"
    }
}

/// Lowers a checked program to the IR: the front end's last step (DESIGN.md, The IR).
///
/// Every model and function becomes an IR function. `var`s become SSA values carried
/// through loops and branches; `x[t] ~` choices are read back with `load` and as whole
/// arrays with `gather`; vectorised choices become loops of scalar choices; an early
/// `return` inside `if` moves the rest of the body into the branches.
public enum Lowering {
    /// Lowers every model and function; `entry` names the model engines run (the first model when nil).
    public static func lower(_ checked: CheckedProgram, entry: String? = nil) throws(LoweringError) -> Module {
        var functions: [PPLIR.Function] = []
        var firstModel: String?
        for declaration in checked.program.declarations {
            switch declaration {
            case .function(let f):
                var lowering = FunctionLowering(checked: checked, name: f.name.name, kind: .function,
                                                parameters: f.parameters, declaration: f.id, span: f.span)
                functions.append(try lowering.lower(f.body))
            case .model(let m):
                if firstModel == nil { firstModel = m.name.name }
                var lowering = FunctionLowering(checked: checked, name: m.name.name, kind: .model,
                                                parameters: m.parameters, declaration: m.id, span: m.span)
                functions.append(try lowering.lower(m.body))
            default: break
            }
        }
        guard let entryName = entry ?? firstModel else { throw LoweringError("the program has no model", at: nil) }
        guard checked.models[entryName] != nil else { throw LoweringError("no model named '\(entryName)'", at: nil) }
        let module = Module(functions: functions, entry: entryName)
        let problems = Verifier().verify(module)
        if !problems.isEmpty {
            throw LoweringError("internal error: lowering produced invalid IR: \(problems.joined(separator: "; "))", at: nil)
        }
        return module
    }
}

private struct FunctionLowering {
    let checked: CheckedProgram
    let kind: PPLIR.Function.Kind
    var b: FunctionBuilder
    var env: [SymbolID: ValueID] = [:]
    var returnType: ValueType?
    /// Induction variables of the enclosing loops, for the addresses of `observe` and reports.
    var loopIndices: [ValueID] = []
    /// How many indices a latent array's sites carry (`x[t] ~` has 1).
    var latentDepth: [SymbolID: Int] = [:]
    let parameters: [PPLSyntax.Parameter]

    init(checked: CheckedProgram, name: String, kind: PPLIR.Function.Kind, parameters: [PPLSyntax.Parameter],
         declaration: NodeID, span: SourceSpan) {
        self.checked = checked
        self.kind = kind
        self.parameters = parameters
        let signature = kind == .model ? checked.models[name] : checked.functions[name]
        returnType = signature?.returnType
        let types = parameters.map { p -> (String, ValueType) in
            let type = checked.definitions[p.id].flatMap { checked.symbol($0).type } ?? .real
            return (p.name.name, type)
        }
        b = FunctionBuilder(name: name, kind: kind, parameters: types, returnType: returnType, location: span.location)
    }

    mutating func lower(_ body: Block) throws(LoweringError) -> PPLIR.Function {
        for (k, p) in parameters.enumerated() {
            if let symbol = checked.definitions[p.id] { env[symbol] = b.parameter(k) }
        }
        scanLatents(body.statements)
        try lowerConstants(body.statements)
        let value = try lowerTail(body.statements[...], span: body.span)
        if returnType != nil, value == nil {
            throw LoweringError("not every path through '\(b.function.name)' returns a value", at: body.span)
        }
        b.emit(.ret(value), nil, at: nil)
        return b.finish()
    }

    // MARK: - Scans

    mutating func scanLatents(_ statements: [Statement]) {
        forEachStatement(statements) { statement in
            if case .tilde(let lhs, _) = statement.kind, let facts = checked.choices[statement.id],
               facts.kind == .latent, let root = facts.root {
                let depth = decompose(lhs)?.indices.count ?? 0
                latentDepth[root] = max(latentDepth[root] ?? 0, depth + (facts.vectorised ? 1 : 0))
            }
        }
    }

    func forEachStatement(_ statements: [Statement], _ visit: (Statement) -> Void) {
        for statement in statements {
            visit(statement)
            switch statement.kind {
            case .forLoop(_, _, let body), .whileLoop(_, _, let body): forEachStatement(body.statements, visit)
            case .ifElse(let clauses, let elseBlock):
                for clause in clauses { forEachStatement(clause.body.statements, visit) }
                if let elseBlock { forEachStatement(elseBlock.statements, visit) }
            default: break
            }
        }
    }

    func expressions(of statement: Statement) -> [Expr] {
        switch statement.kind {
        case .tilde(let lhs, let d): [lhs] + d.arguments
        case .observe(let d, let v): d.arguments + [v]
        case .factor(let e), .expression(let e): [e]
        case .letBinding(_, _, let v), .varBinding(_, _, let v): [v]
        case .assign(let t, let v): [t, v]
        case .forLoop(_, .range(let lo, let hi), _): [lo, hi]
        case .forLoop(_, .array(let a), _): [a]
        case .whileLoop(let c, let m, _): [c] + (m.map { [$0] } ?? [])
        case .ifElse(let clauses, _): clauses.map(\.condition)
        case .returnValue(let e): e.map { [$0] } ?? []
        }
    }

    func names(in expr: Expr, _ out: inout [NodeID]) {
        switch expr.kind {
        case .name: out.append(expr.id)
        case .array(let xs): for x in xs { names(in: x, &out) }
        case .index(let base, let index): names(in: base, &out); names(in: index, &out)
        case .field(let base, _): names(in: base, &out)
        case .call(_, let args): for a in args { names(in: a, &out) }
        case .unary(_, let a): names(in: a, &out)
        case .binary(_, let l, let r): names(in: l, &out); names(in: r, &out)
        case .conditional(let c, let t, let o): names(in: c, &out); names(in: t, &out); names(in: o, &out)
        default: break
        }
    }

    /// Top-level constants this body reads, transitively, lowered once at entry in source order.
    mutating func lowerConstants(_ statements: [Statement]) throws(LoweringError) {
        var constantDecls: [SymbolID: ConstantDecl] = [:]
        var order: [SymbolID] = []
        for declaration in checked.program.declarations {
            if case .constant(let c) = declaration, let symbol = checked.definitions[c.id] {
                constantDecls[symbol] = c
                order.append(symbol)
            }
        }
        var needed = Set<SymbolID>()
        var work: [Expr] = []
        forEachStatement(statements) { work += expressions(of: $0) }
        while let expr = work.popLast() {
            var ids: [NodeID] = []
            names(in: expr, &ids)
            for id in ids {
                if let symbol = checked.references[id], let c = constantDecls[symbol], needed.insert(symbol).inserted {
                    work.append(c.value)
                }
            }
        }
        for symbol in order where needed.contains(symbol) {
            if let c = constantDecls[symbol] { env[symbol] = try lowerExpr(c.value) }
        }
    }

    /// Variables assigned in these statements that are already bound outside them, in a stable order.
    func assigned(_ statements: [Statement]) -> [SymbolID] {
        var out = Set<SymbolID>()
        forEachStatement(statements) { statement in
            if case .assign(let target, _) = statement.kind, let root = decompose(target)?.root,
               let symbol = checked.references[root.id], env[symbol] != nil {
                out.insert(symbol)
            }
        }
        return out.sorted()
    }

    func decompose(_ expr: Expr) -> (root: Expr, name: String, indices: [Expr])? {
        var indices: [Expr] = []
        var node = expr
        while case .index(let base, let index) = node.kind {
            indices.insert(index, at: 0)
            node = base
        }
        guard case .name(let name) = node.kind else { return nil }
        return (node, name, indices)
    }

    func containsReturn(_ statement: Statement) -> Bool {
        switch statement.kind {
        case .returnValue: return true
        case .ifElse(let clauses, let elseBlock):
            return clauses.contains { $0.body.statements.contains(where: containsReturn) }
                || (elseBlock?.statements.contains(where: containsReturn) ?? false)
        default: return false
        }
    }

    // MARK: - Statements

    /// Lowers statements that end the body; returns the value returned (nil for none).
    mutating func lowerTail(_ statements: ArraySlice<Statement>, span: SourceSpan) throws(LoweringError) -> ValueID? {
        var k = statements.startIndex
        while k < statements.endIndex {
            let statement = statements[k]
            switch statement.kind {
            case .returnValue(let value):
                guard let value else { return nil }
                return try lowerExpr(value)
            case .ifElse(let clauses, let elseBlock) where containsReturn(statement):
                return try lowerReturningIf(clauses[...], elseBlock, rest: Array(statements[(k + 1)...]), span: statement.span)
            default:
                try lowerStatement(statement)
            }
            k += 1
        }
        return nil
    }

    mutating func lowerReturningIf(_ clauses: ArraySlice<IfClause>, _ elseBlock: Block?, rest: [Statement],
                                   span: SourceSpan) throws(LoweringError) -> ValueID? {
        guard let clause = clauses.first else {
            return try lowerTail(((elseBlock?.statements ?? []) + rest)[...], span: span)
        }
        let condition = try lowerExpr(clause.condition)
        let saved = env
        _ = b.beginRegion()
        let thenValue = try lowerTail((clause.body.statements + rest)[...], span: clause.body.span)
        try yieldReturn(thenValue, span: clause.body.span)
        let thenRegion = b.endRegion()
        env = saved
        _ = b.beginRegion()
        let elseValue = try lowerReturningIf(clauses.dropFirst(), elseBlock, rest: rest, span: span)
        try yieldReturn(elseValue, span: span)
        let elseRegion = b.endRegion()
        env = saved
        let results = returnType.map { [b.newValue($0)] } ?? []
        b.append(Instruction(.ifElse(IfElse(condition: condition, then: thenRegion, otherwise: elseRegion)),
                             results: results, at: clause.condition.span.location))
        return results.first
    }

    mutating func yieldReturn(_ value: ValueID?, span: SourceSpan) throws(LoweringError) {
        if returnType != nil {
            guard let value else { throw LoweringError("not every path through '\(b.function.name)' returns a value", at: span) }
            b.emit(.yield([value]), nil, at: nil)
        } else {
            b.emit(.yield([]), nil, at: nil)
        }
    }

    mutating func lowerBlock(_ statements: [Statement]) throws(LoweringError) {
        for statement in statements { try lowerStatement(statement) }
    }

    func loopAddress(_ name: String, extra: [ValueID] = []) -> AddressExpr {
        AddressExpr(name, loopIndices + extra)
    }

    mutating func lowerStatement(_ statement: Statement) throws(LoweringError) {
        let at = statement.span.location
        switch statement.kind {
        case .tilde(let lhs, let distribution):
            try lowerTilde(statement, lhs: lhs, distribution: distribution)
        case .observe(let distribution, let value):
            guard let facts = checked.choices[statement.id] else { throw LoweringError("unchecked 'observe'", at: statement.span) }
            let arguments = try distribution.arguments.map { (e: Expr) throws(LoweringError) in try lowerExpr(e) }
            let v = try lowerExpr(value)
            if facts.vectorised {
                let outer = loopIndices
                try vectorised(over: v, arguments: arguments, positions: facts.vectorisedArguments, at: at) { b, i, args, element in
                    guard let element else { return }
                    b.emit(.observe(AddressExpr("observe", outer + [i]), family: facts.family, arguments: args, value: element), nil, at: at)
                }
            } else {
                b.emit(.observe(loopAddress("observe"), family: facts.family, arguments: arguments, value: v), nil, at: at)
            }
        case .factor(let value):
            b.emit(.factor(try lowerExpr(value)), nil, at: at)
        case .letBinding(let name, _, let value):
            let v = try lowerExpr(value)
            if let symbol = checked.definitions[statement.id] {
                env[symbol] = v
                if kind == .model { b.emit(.report(loopAddress(name.name), v), nil, at: at) }
            }
        case .varBinding(_, _, let value):
            let v = try lowerExpr(value)
            if let symbol = checked.definitions[statement.id] { env[symbol] = v }
        case .assign(let target, let value):
            guard let (root, _, indices) = decompose(target), let symbol = checked.references[root.id],
                  let current = env[symbol] else {
                throw LoweringError("cannot assign to this target", at: target.span)
            }
            let v = try lowerExpr(value)
            let indexValues = try indices.map { (e: Expr) throws(LoweringError) in try lowerExpr(e) }
            env[symbol] = assign(current, indexValues[...], v, at: target.span.location)
        case .forLoop(let variable, let sequence, let body):
            try lowerFor(statement, variable: variable, sequence: sequence, body: body)
        case .whileLoop(let condition, let maxSteps, let body):
            try lowerWhile(statement, condition: condition, maxSteps: maxSteps, body: body)
        case .ifElse(let clauses, let elseBlock):
            try lowerIf(clauses[...], elseBlock, at: at)
        case .returnValue:
            throw LoweringError("'return' inside a loop is not supported; compute the value and return it after the loop",
                                at: statement.span)
        case .expression(let expr):
            _ = try lowerExpr(expr, allowVoid: true)
        }
    }

    /// `a[i][j] = v` as nested functional updates.
    mutating func assign(_ array: ValueID, _ indices: ArraySlice<ValueID>, _ value: ValueID, at: SourceLocation) -> ValueID {
        guard let first = indices.first else { return value }
        let type = b.type(of: array)
        guard case .array(let element) = type else { return value }
        var inner = value
        if indices.count > 1 {
            let current = b.emit(.index(array, first), element, at: at)
            inner = assign(current, indices.dropFirst(), value, at: at)
        }
        return b.emit(.setIndex(array, first, inner), type, at: at)
    }

    /// Emits a loop over the elements of a vectorised choice: `body` gets the element index,
    /// the arguments with vectorised positions indexed, and the element of `values` if any.
    mutating func vectorised(over values: ValueID?, arguments: [ValueID], positions: [Int], at: SourceLocation,
                             body: (inout FunctionBuilder, ValueID, [ValueID], ValueID?) -> Void) throws(LoweringError) {
        let lengthOf = values ?? positions.first.map { arguments[$0] }
        guard let lengthOf else { return }
        let n = b.emit(.builtin(.len, [lengthOf]), .int, at: at)
        let zero = b.constant(0)
        let argumentTypes = arguments.map { b.type(of: $0) }
        let valuesType = values.map { b.type(of: $0) }
        b.forLoop(zero, n, at: at) { b, i, _ in
            var args = arguments
            for p in positions {
                guard case .array(let element) = argumentTypes[p] else { continue }
                args[p] = b.emit(.index(arguments[p], i), element, at: at)
            }
            var element: ValueID?
            if let values, case .array(let e)? = valuesType { element = b.emit(.index(values, i), e, at: at) }
            body(&b, i, args, element)
            return []
        }
    }

    mutating func lowerTilde(_ statement: Statement, lhs: Expr, distribution: DistributionExpr) throws(LoweringError) {
        let at = statement.span.location
        guard let facts = checked.choices[statement.id], let (_, name, indices) = decompose(lhs) else {
            throw LoweringError("unchecked '~'", at: statement.span)
        }
        let indexValues = try indices.map { (e: Expr) throws(LoweringError) in try lowerExpr(e) }
        let arguments = try distribution.arguments.map { (e: Expr) throws(LoweringError) in try lowerExpr(e) }
        switch facts.kind {
        case .latent:
            if facts.vectorised {
                try vectorised(over: nil, arguments: arguments, positions: facts.vectorisedArguments, at: at) { b, i, args, _ in
                    b.emit(.sample(AddressExpr(name, indexValues + [i]), family: facts.family, arguments: args),
                           facts.drawType, name: name, at: at)
                }
                if indices.isEmpty, let root = facts.root {
                    env[root] = b.emit(.gather(name), .array(facts.drawType), name: name, at: at)
                }
            } else {
                let v = b.emit(.sample(AddressExpr(name, indexValues), family: facts.family, arguments: arguments),
                               facts.drawType, name: name, at: at)
                if indices.isEmpty, let root = facts.root { env[root] = v }
            }
        case .observation:
            let value = try lowerExpr(lhs)
            if facts.vectorised {
                try vectorised(over: value, arguments: arguments, positions: facts.vectorisedArguments, at: at) { b, i, args, element in
                    guard let element else { return }
                    b.emit(.observe(AddressExpr(name, indexValues + [i]), family: facts.family, arguments: args, value: element),
                           nil, at: at)
                }
            } else {
                b.emit(.observe(AddressExpr(name, indexValues), family: facts.family, arguments: arguments, value: value),
                       nil, at: at)
            }
        }
    }

    mutating func lowerFor(_ statement: Statement, variable: Identifier, sequence: ForSequence, body: Block) throws(LoweringError) {
        let at = statement.span.location
        let carried = assigned(body.statements)
        let lower: ValueID, upper: ValueID
        var array: ValueID?
        switch sequence {
        case .range(let lo, let hi):
            lower = try lowerExpr(lo)
            upper = try lowerExpr(hi)
        case .array(let a):
            let v = try lowerExpr(a)
            array = v
            lower = b.constant(0)
            upper = b.emit(.builtin(.len, [v]), .int, at: a.span.location)
        }
        let initial = carried.compactMap { env[$0] }
        let arguments = b.beginRegion(arguments: [(.int, array == nil ? variable.name : nil)]
                                      + initial.map { (b.type(of: $0), b.function.values[$0.raw].name) })
        let saved = env
        let induction = arguments[0]
        if let symbol = checked.definitions[statement.id] {
            if let array, case .array(let element) = b.type(of: array) {
                env[symbol] = b.emit(.index(array, induction), element, name: variable.name, at: at)
            } else if let array, b.type(of: array) == .matrix {
                env[symbol] = b.emit(.index(array, induction), .array(.real), name: variable.name, at: at)
            } else {
                env[symbol] = induction
            }
        }
        for (symbol, argument) in zip(carried, arguments.dropFirst()) { env[symbol] = argument }
        loopIndices.append(induction)
        try lowerBlock(body.statements)
        loopIndices.removeLast()
        let next = carried.compactMap { env[$0] }
        b.emit(.yield(next), nil, at: nil)
        let region = b.endRegion()
        env = saved
        let results = initial.map { b.newValue(b.type(of: $0), name: b.function.values[$0.raw].name) }
        b.append(Instruction(.forLoop(ForLoop(lower: lower, upper: upper, initial: initial, body: region)),
                             results: results, at: at))
        for (symbol, r) in zip(carried, results) { env[symbol] = r }
    }

    func constantInt(_ expr: Expr) -> Int? {
        switch expr.kind {
        case .int(let n): return n
        case .name:
            guard let symbol = checked.references[expr.id] else { return nil }
            for declaration in checked.program.declarations {
                if case .constant(let c) = declaration, checked.definitions[c.id] == symbol { return constantInt(c.value) }
            }
            return nil
        default: return nil
        }
    }

    mutating func lowerWhile(_ statement: Statement, condition: Expr, maxSteps: Expr?, body: Block) throws(LoweringError) {
        let at = statement.span.location
        guard let maxSteps, let bound = constantInt(maxSteps) else {
            throw LoweringError("the 'max' bound of a while loop must be an integer constant", at: maxSteps?.span ?? statement.span)
        }
        let carried = assigned(body.statements)
        let initial = carried.compactMap { env[$0] }
        let types = initial.map { (b.type(of: $0), b.function.values[$0.raw].name) }
        let saved = env
        let beforeArguments = b.beginRegion(arguments: types)
        for (symbol, a) in zip(carried, beforeArguments) { env[symbol] = a }
        let c = try lowerExpr(condition)
        b.emit(.condition(c, beforeArguments), nil, at: nil)
        let before = b.endRegion()
        let bodyArguments = b.beginRegion(arguments: types)
        for (symbol, a) in zip(carried, bodyArguments) { env[symbol] = a }
        try lowerBlock(body.statements)
        b.emit(.yield(carried.compactMap { env[$0] }), nil, at: nil)
        let loopBody = b.endRegion()
        env = saved
        let results = types.map { b.newValue($0.0, name: $0.1) }
        b.append(Instruction(.whileLoop(WhileLoop(initial: initial, before: before, body: loopBody, maxIterations: bound)),
                             results: results, at: at))
        for (symbol, r) in zip(carried, results) { env[symbol] = r }
    }

    mutating func lowerIf(_ clauses: ArraySlice<IfClause>, _ elseBlock: Block?, at: SourceLocation) throws(LoweringError) {
        guard let clause = clauses.first else { return }
        var all = clauses.flatMap(\.body.statements)
        if let elseBlock { all += elseBlock.statements }
        let carried = assigned(all)
        let types = carried.compactMap { env[$0] }.map { (b.type(of: $0), b.function.values[$0.raw].name) }
        let condition = try lowerExpr(clause.condition)
        let saved = env
        _ = b.beginRegion()
        try lowerBlock(clause.body.statements)
        b.emit(.yield(carried.compactMap { env[$0] }), nil, at: nil)
        let thenRegion = b.endRegion()
        env = saved
        _ = b.beginRegion()
        if clauses.count > 1 {
            try lowerIf(clauses.dropFirst(), elseBlock, at: clauses[clauses.startIndex + 1].condition.span.location)
        } else if let elseBlock {
            try lowerBlock(elseBlock.statements)
        }
        b.emit(.yield(carried.compactMap { env[$0] }), nil, at: nil)
        let elseRegion = b.endRegion()
        env = saved
        let results = types.map { b.newValue($0.0, name: $0.1) }
        b.append(Instruction(.ifElse(IfElse(condition: condition, then: thenRegion, otherwise: elseRegion)),
                             results: results, at: at))
        for (symbol, r) in zip(carried, results) { env[symbol] = r }
    }

    // MARK: - Expressions

    /// Lowers an expression and applies the checker's coercion for it.
    mutating func lowerExpr(_ e: Expr, allowVoid: Bool = false) throws(LoweringError) -> ValueID {
        // Literals are folded so the IR reads `Normal(0.0, 1.0)`, not a conversion of `0`.
        let target = checked.coercions[e.id]
        switch e.kind {
        case .int(let n) where target == .real: return b.constant(Double(n))
        case .unary(.negate, let inner):
            if case .int(let n) = inner.kind { return target == .real ? b.constant(-Double(n)) : b.constant(-n) }
            if case .real(let x) = inner.kind { return b.constant(-x) }
        default: break
        }
        let v = try lowerUncoerced(e, allowVoid: allowVoid)
        guard let target = checked.coercions[e.id], v.raw >= 0 else { return v }
        let from = b.type(of: v)
        if from == target { return v }
        let at = e.span.location
        switch (from, target) {
        case (_, .real), (_, .array(.real)): return b.emit(.toReal(v), target, at: at)
        case (.int, .bool), (.bool, .int): return b.emit(.convert(v), target, at: at)
        default: return v
        }
    }

    func type(_ e: Expr) throws(LoweringError) -> ValueType {
        guard let t = checked.types[e.id] else { throw LoweringError("expression has no type", at: e.span) }
        return t
    }

    mutating func lowerUncoerced(_ e: Expr, allowVoid: Bool) throws(LoweringError) -> ValueID {
        let at = e.span.location
        switch e.kind {
        case .real(let x): return b.constant(x)
        case .int(let n): return b.constant(n)
        case .bool(let v): return b.constant(v)
        case .name(let name):
            guard let symbol = checked.references[e.id] else { throw LoweringError("unresolved name '\(name)'", at: e.span) }
            if let v = env[symbol] { return v }
            if checked.symbol(symbol).kind == .latent {
                return b.emit(.gather(name), try type(e), name: name, at: at)
            }
            throw LoweringError("'\(name)' has no value here", at: e.span)
        case .array(let elements):
            let values = try elements.map { (x: Expr) throws(LoweringError) in try lowerExpr(x) }
            return b.emit(.array(values), try type(e), at: at)
        case .index:
            if let (root, name, indices) = decompose(e), let symbol = checked.references[root.id], env[symbol] == nil,
               checked.symbol(symbol).kind == .latent, let depth = latentDepth[symbol], indices.count >= depth {
                let indexValues = try indices.prefix(depth).map { (x: Expr) throws(LoweringError) in try lowerExpr(x) }
                var value = b.emit(.load(AddressExpr(name, indexValues)), try type(indices.count == depth ? e : root),
                                   at: at)
                for index in indices.dropFirst(depth) {
                    let i = try lowerExpr(index)
                    guard case .array(let element) = b.type(of: value) else { break }
                    value = b.emit(.index(value, i), element, at: at)
                }
                return value
            }
            guard case .index(let base, let index) = e.kind else { return ValueID(-1) }
            let a = try lowerExpr(base)
            let i = try lowerExpr(index)
            return b.emit(.index(a, i), try type(e), at: at)
        case .field:
            throw LoweringError("'.' addresses are only allowed in queries", at: e.span)
        case .call(let callee, let args):
            let values = try args.map { (x: Expr) throws(LoweringError) in try lowerExpr(x) }
            switch checked.calls[e.id] {
            case .builtin(let f)?:
                let name = f == .inv_logit ? "logistic" : f.rawValue
                guard let builtin = PPLIR.Builtin(rawValue: name) else {
                    throw LoweringError("built-in '\(f.rawValue)' is not supported by the IR yet", at: e.span)
                }
                return b.emit(.builtin(builtin, values), try type(e), at: at)
            case .function?:
                let resultType = checked.types[e.id]
                if resultType == nil && !allowVoid { throw LoweringError("'\(callee.name)' returns nothing", at: e.span) }
                return b.emit(.call(callee.name, values), resultType, at: at)
            case nil:
                throw LoweringError("unresolved call of '\(callee.name)'", at: e.span)
            }
        case .unary(let op, let operand):
            let v = try lowerExpr(operand)
            return b.emit(.unary(op == .negate ? .neg : .not, v), try type(e), at: at)
        case .binary(let op, let lhs, let rhs):
            let l = try lowerExpr(lhs)
            let r = try lowerExpr(rhs)
            let irOp: BinaryOp = switch op {
            case .add: .add
            case .subtract: .sub
            case .multiply: .mul
            case .divide: .div
            case .remainder: .mod
            case .equal: .eq
            case .notEqual: .ne
            case .less: .lt
            case .lessEqual: .le
            case .greater: .gt
            case .greaterEqual: .ge
            case .and: .and
            case .or: .or
            }
            return b.emit(.binary(irOp, l, r), try type(e), at: at)
        case .conditional(let condition, let then, let otherwise):
            let c = try lowerExpr(condition)
            let resultType = try type(e)
            _ = b.beginRegion()
            b.emit(.yield([try lowerExpr(then)]), nil, at: nil)
            let thenRegion = b.endRegion()
            _ = b.beginRegion()
            b.emit(.yield([try lowerExpr(otherwise)]), nil, at: nil)
            let elseRegion = b.endRegion()
            let result = b.newValue(resultType)
            b.append(Instruction(.ifElse(IfElse(condition: c, then: thenRegion, otherwise: elseRegion)), results: [result], at: at))
            return result
        case .invalid:
            throw LoweringError("invalid expression", at: e.span)
        }
    }
}
