import PPLDiagnostics
import PPLDistributions
import PPLSyntax

/// Checks a parsed program: resolves names, infers and checks types, decides for each `~`
/// whether it is a latent choice or an observation, and checks models and queries.
///
/// The result is always complete (facts for what checked); diagnostics say what did not.
public func check(_ program: Program) -> (program: CheckedProgram, diagnostics: [Diagnostic]) {
    var checker = Checker(program: program)
    checker.run()
    return (checker.result, checker.diagnostics)
}

/// Parses and checks source text: the front end in one call.
public func checkSource(_ file: SourceFile) -> (program: CheckedProgram, diagnostics: [Diagnostic]) {
    let (program, parseDiagnostics) = Parser.parse(file)
    let (checked, checkDiagnostics) = check(program)
    // Inside a statement with a syntax error the checker's findings are consequences of it.
    let relevant = checkDiagnostics.filter { d in d.span.map { !program.isDamaged($0.start) } ?? true }
    // In source order, as a reader goes through the file; a stable sort keeps notes' order.
    let ordered = (parseDiagnostics + relevant).enumerated().sorted { a, b in
        let x = a.element.span?.start ?? Int.max, y = b.element.span?.start ?? Int.max
        return x != y ? x < y : a.offset < b.offset
    }.map(\.element)
    return (checked, ordered)
}

struct Checker {
    var result: CheckedProgram
    var diagnostics: [Diagnostic] = []
    /// The catalogue case of each diagnostic, in the same order (for tests).
    var codes: [String] = []
    private let program: Program
    /// Functions whose bodies make random choices, directly or through calls.
    private var stochasticFunctions: Set<String> = []

    /// Innermost last; index 0 holds models, functions and constants.
    private var scopes: [[String: SymbolID]] = [[:]]
    private var body: BodyContext?
    /// Position of the query being checked, so it sees only constants declared before it.
    private var queryStart: Int?
    /// Per model: the names its choices, called functions and reported lets use, for query checks.
    private var modelFacts: [String: ModelFacts] = [:]
    private var functionFacts: [String: ModelFacts] = [:]
    /// Where each top-level constant is declared, for "used before its definition" at top level.
    private var constantNames: [String: SourceSpan] = [:]
    /// Latent arrays declared by `x[i] ~ ...`, which later sites may extend element by element.
    private var elementSites: Set<SymbolID> = []
    /// Per open block, the literal latent addresses (`x[0]`) drawn in it, to catch repeats.
    private var literalAddresses: [[String: SourceSpan]] = []

    private struct BodyContext {
        var owner: NodeID
        var name: String
        var isModel: Bool
        var declaresReturn: Bool
        var returnType: ValueType?
        var loopDepth = 0
        /// The scope index of the body itself, where `x[i] ~` declares `x`.
        var bodyScope: Int
        /// Names declared anywhere in the body, with where, for "used before its definition".
        var declaredNames: [String: SourceSpan]
        var modelReturnType: ValueType?
        var facts = ModelFacts()
    }

    struct ModelFacts {
        var latents: Set<String> = []
        /// The type of each latent name (an array type for `x[i] ~`).
        var latentTypes: [String: ValueType] = [:]
        /// Latent sites drawn from continuous families: name, family, place.
        var continuous: [(name: String, family: String, span: SourceSpan)] = []
        var calledFunctions: Set<String> = []
        var reported: Set<String> = []
        var parameters: Set<String> = []
    }

    init(program: Program) {
        self.program = program
        self.result = CheckedProgram(program: program)
    }

    // MARK: - Driver

    mutating func run() {
        // Models and functions are visible everywhere, so recursion and any order work.
        for declaration in program.declarations {
            switch declaration {
            case .model(let m):
                if let symbol = declareGlobal(m.name, kind: .model, type: nil, owner: nil) {
                    result.definitions[m.id] = symbol
                }
            case .function(let f):
                if let symbol = declareGlobal(f.name, kind: .function, type: nil, owner: nil) {
                    result.definitions[f.id] = symbol
                }
            default: break
            }
        }
        for declaration in program.declarations {
            switch declaration {
            case .model(let m):
                if let symbol = result.definitions[m.id] {
                    result.models[m.name.name] = Signature(name: m.name.name, symbol: symbol,
                                                           parameters: m.parameters.map { ($0.name.name, resolveQuietly($0.type)) },
                                                           returnType: nil, declaration: m.id)
                }
            case .function(let f):
                if let symbol = result.definitions[f.id] {
                    result.functions[f.name.name] = Signature(name: f.name.name, symbol: symbol,
                                                              parameters: f.parameters.map { ($0.name.name, resolveQuietly($0.type)) },
                                                              returnType: f.returnType.flatMap(resolveQuietly), declaration: f.id)
                }
            default: break
            }
        }
        stochasticFunctions = findStochasticFunctions()
        for declaration in program.declarations {
            if case .constant(let c) = declaration, constantNames[c.name.name] == nil { constantNames[c.name.name] = c.name.span }
        }
        // Constants in order: each sees the ones before it.
        for declaration in program.declarations {
            if case .constant(let c) = declaration { checkConstant(c) }
        }
        for declaration in program.declarations {
            switch declaration {
            case .function(let f): checkFunction(f)
            case .model(let m): checkModel(m)
            default: break
            }
        }
        for declaration in program.declarations {
            if case .query(let q) = declaration { checkQuery(q) }
        }
    }

    // MARK: - Declarations

    private mutating func checkConstant(_ c: ConstantDecl) {
        let valueType = typeOf(c.value)
        var type = valueType
        if let syntax = c.type, let declared = resolve(syntax) {
            if let valueType, !coerce(c.value, from: valueType, to: declared) {
                report(.bindingType(c.name.name, declared: declared, found: valueType), at: c.value.span)
            }
            type = declared
        }
        if let symbol = declareGlobal(c.name, kind: .constant, type: type, owner: nil) {
            result.definitions[c.id] = symbol
        }
    }

    private mutating func checkFunction(_ f: FunctionDecl) {
        let returnType = f.returnType.flatMap { resolve($0) }
        beginBody(owner: f.id, name: f.name.name, isModel: false, declaresReturn: f.returnType != nil,
                  returnType: returnType, parameters: f.parameters, block: f.body)
        checkStatements(f.body.statements)
        if let context = body, result.functions[f.name.name]?.declaration == f.id {
            functionFacts[f.name.name] = context.facts
        }
        if let returnType, f.returnType != nil, !alwaysReturns(f.body.statements) {
            report(.missingReturn(f.name.name, expected: returnType), at: f.name.span,
                   notes: [.init("add 'return' at the end of the body", at: closingBrace(f.body))])
        }
        endBody()
    }

    private mutating func checkModel(_ m: ModelDecl) {
        beginBody(owner: m.id, name: m.name.name, isModel: true, declaresReturn: false,
                  returnType: nil, parameters: m.parameters, block: m.body)
        checkStatements(m.body.statements)
        if let context = body, result.models[m.name.name]?.declaration == m.id {
            result.models[m.name.name]?.returnType = context.modelReturnType
            modelFacts[m.name.name] = context.facts
        }
        endBody()
    }

    private mutating func beginBody(owner: NodeID, name: String, isModel: Bool, declaresReturn: Bool,
                                    returnType: ValueType?, parameters: [Parameter], block: Block) {
        literalAddresses = [[:]]
        var declared: [String: SourceSpan] = [:]
        collectDeclaredNames(block.statements, into: &declared)
        scopes.append([:])
        body = BodyContext(owner: owner, name: name, isModel: isModel, declaresReturn: declaresReturn,
                           returnType: returnType, bodyScope: scopes.count - 1, declaredNames: declared)
        for (index, parameter) in parameters.enumerated() {
            let type = resolve(parameter.type)
            if let symbol = declareLocal(parameter.name, kind: .parameter(index: index), type: type) {
                result.definitions[parameter.id] = symbol
            }
            body?.facts.parameters.insert(parameter.name.name)
        }
    }

    private mutating func endBody() {
        scopes.removeLast()
        body = nil
    }

    // MARK: - Statements

    private mutating func checkStatements(_ statements: [Statement]) {
        for statement in statements { checkStatement(statement) }
    }

    private mutating func checkBlock(_ block: Block) {
        scopes.append([:])
        literalAddresses.append([:])
        checkStatements(block.statements)
        literalAddresses.removeLast()
        scopes.removeLast()
    }

    private mutating func checkStatement(_ statement: Statement) {
        switch statement.kind {
        case .tilde(let lhs, let distribution):
            checkTilde(statement, lhs: lhs, distribution: distribution)

        case .observe(let distribution, let value):
            let valueType = typeOf(value)
            guard let (family, vectorisedArguments) = checkDistribution(distribution) else { return }
            var vectorised = !vectorisedArguments.isEmpty
            if let valueType {
                if case .array(let element) = valueType, !valueType.widens(to: family.drawType),
                   element.widens(to: family.drawType) {
                    vectorised = true
                } else if vectorised {
                    report(.vectorisedScalarTarget(family: family.name), at: value.span)
                } else if !coerce(value, from: valueType, to: family.drawType) {
                    report(.observationType(family: family.name, draws: family.drawType, found: valueType), at: value.span)
                }
            }
            result.choices[statement.id] = ChoiceFacts(kind: .observation, family: family.name, vectorised: vectorised,
                                                       root: nil, drawType: family.drawType,
                                                       vectorisedArguments: vectorisedArguments)

        case .factor(let value):
            if let type = typeOf(value), !coerce(value, from: type, to: .real) {
                report(.factorType(type), at: value.span)
            }

        case .letBinding(let name, let syntax, let value), .varBinding(let name, let syntax, let value):
            let isVar: Bool
            if case .varBinding = statement.kind { isVar = true } else { isVar = false }
            let valueType = typeOf(value)
            var type = valueType
            if let syntax, let declared = resolve(syntax) {
                if let valueType, !coerce(value, from: valueType, to: declared) {
                    report(.bindingType(name.name, declared: declared, found: valueType), at: value.span)
                }
                type = declared
            }
            let kind: Symbol.Kind = isVar ? .variable : (body?.isModel == true ? .reported : .local)
            if let symbol = declareLocal(name, kind: kind, type: type) {
                result.definitions[statement.id] = symbol
                if kind == .reported { body?.facts.reported.insert(name.name) }
            }

        case .assign(let target, let value):
            checkAssignment(target: target, value: value)

        case .forLoop(let variable, let sequence, let loopBody):
            var elementType: ValueType?
            switch sequence {
            case .range(let lower, let upper):
                for bound in [lower, upper] {
                    if let type = typeOf(bound), type != .int { report(.rangeBoundType(type), at: bound.span) }
                }
                elementType = .int
            case .array(let array):
                if let type = typeOf(array) {
                    if let element = type.elementType {
                        elementType = element
                    } else {
                        report(.loopOverNonArray(type), at: array.span,
                               notes: type == .int ? [.init("loop over a range: 'for \(variable.name) in 0..<n'")] : [])
                    }
                }
            }
            scopes.append([:])
            if let symbol = declareLocal(variable, kind: .loopVariable, type: elementType) {
                result.definitions[statement.id] = symbol
            }
            body?.loopDepth += 1
            checkBlock(loopBody)
            body?.loopDepth -= 1
            scopes.removeLast()

        case .whileLoop(let condition, let bound, let loopBody):
            checkCondition(condition)
            if let bound {
                if let type = typeOf(bound), type != .int { report(.whileBoundType(type), at: bound.span) }
            } else {
                report(.unboundedWhile, at: condition.span,
                       notes: [.init("write 'while \(condition.span.text) max 1000 { ... }': the loop stops with an error after that many steps")])
            }
            body?.loopDepth += 1
            checkBlock(loopBody)
            body?.loopDepth -= 1

        case .ifElse(let clauses, let elseBlock):
            for clause in clauses {
                checkCondition(clause.condition)
                checkBlock(clause.body)
            }
            if let elseBlock { checkBlock(elseBlock) }

        case .returnValue(let value):
            checkReturn(statement, value: value)

        case .expression(let expression):
            if case .call(let callee, let arguments) = expression.kind {
                _ = checkCall(expression, callee: callee, arguments: arguments, asStatement: true)
            } else {
                _ = typeOf(expression)
            }
        }
    }

    private mutating func checkTilde(_ statement: Statement, lhs: Expr, distribution: DistributionExpr) {
        let checkedDistribution = checkDistribution(distribution)
        guard let (rootName, rootSpan, indices) = decomposeTarget(lhs) else {
            report(.tildeTarget, at: lhs.span)
            return
        }
        for index in indices {
            if let type = typeOf(index), !coerce(index, from: type, to: .int) || type == .bool {
                report(.indexType(type), at: index.span)
            }
        }
        guard let (family, vectorisedArguments) = checkedDistribution else {
            // Declare a fresh name anyway (its type unknown), so later uses do not cascade.
            if lookup(rootName) == nil {
                let symbolID = indices.isEmpty
                    ? declareLocal(Identifier(rootName, span: rootSpan), kind: .latent, type: nil)
                    : declare(Identifier(rootName, span: rootSpan), kind: .latent, type: nil, scope: body?.bodyScope ?? scopes.count - 1)
                if let symbolID { result.definitions[statement.id] = symbolID }
                body?.facts.latents.insert(rootName)
            }
            return
        }
        let drawn: ValueType = vectorisedArguments.isEmpty ? family.drawType : .array(family.drawType)
        var facts = ChoiceFacts(kind: .latent, family: family.name, vectorised: !vectorisedArguments.isEmpty, root: nil,
                                drawType: family.drawType, vectorisedArguments: vectorisedArguments)

        if let symbolID = lookup(rootName) {
            let symbol = result.symbols[symbolID.raw]
            result.references[rootExprID(lhs)] = symbolID
            switch symbol.kind {
            case .function, .model:
                report(.drawIntoNonValue(rootName, what: symbol.kind == .model ? "a model" : "a function"), at: rootSpan)
                return
            case .latent:
                facts.root = symbolID
                if indices.isEmpty {
                    report(.duplicateLatent(rootName), at: lhs.span,
                           notes: [.init("'\(rootName)' is first drawn here", at: symbol.span),
                                   .init("give each draw its own name, or index it: '\(rootName)[i] ~ ...'")])
                    return
                }
                if !elementSites.contains(symbolID) {
                    // `w ~ D(arrays)` drew every element of w already.
                    let text = String(lhs.span.text)
                    report(.duplicateLatent(text), at: lhs.span,
                           notes: [.init("every element of '\(rootName)' is drawn here", at: symbol.span)])
                    return
                }
                if let holds = elementType(of: symbol.type, depth: indices.count, span: lhs.span),
                   holds != drawn, !(vectorisedArguments.isEmpty && drawn.widens(to: holds)) {
                    report(.latentElementType(rootName, holds: holds, family: family.name, draws: drawn), at: lhs.span)
                }
                if let text = literalAddress(rootName, indices), !literalAddresses.isEmpty {
                    if let first = literalAddresses[literalAddresses.count - 1][text] {
                        report(.duplicateLatent(text), at: lhs.span, notes: [.init("'\(text)' is first drawn here", at: first)])
                        return
                    }
                    literalAddresses[literalAddresses.count - 1][text] = lhs.span
                }
                recordLatent(rootName, type: symbol.type, family: family, span: lhs.span)
            default:
                // Rooted in data or a bound value: an observation.
                facts.kind = .observation
                facts.root = symbolID
                result.types[rootExprID(lhs)] = symbol.type
                guard let lhsType = elementType(of: symbol.type, depth: indices.count, span: lhs.span) else { break }
                result.types[lhs.id] = lhsType
                if case .array(let element) = lhsType, !lhsType.widens(to: family.drawType),
                   element.widens(to: family.drawType) {
                    facts.vectorised = true
                } else if !vectorisedArguments.isEmpty {
                    report(.vectorisedScalarTarget(family: family.name), at: lhs.span)
                } else if !coerce(lhs, from: lhsType, to: family.drawType) {
                    report(.observationType(family: family.name, draws: family.drawType, found: lhsType), at: lhs.span,
                           notes: lhsType == .real && family.drawType == .int
                               ? [.init("'\(family.name)' draws integers; declare the data as '[Int]'")] : [])
                }
            }
        } else {
            // A fresh name: a latent choice.
            var type = drawn
            for _ in indices { type = .array(type) }
            let symbolID: SymbolID?
            if indices.isEmpty {
                if (body?.loopDepth ?? 0) > 0 {
                    report(.latentInLoop(rootName), at: lhs.span,
                           notes: [.init("give each iteration its own address: '\(rootName)[i] ~ ...'")])
                }
                symbolID = declareLocal(Identifier(rootName, span: rootSpan), kind: .latent, type: type)
            } else {
                // `x[i] ~` declares x for the whole body, so loops can fill it and later code read it.
                symbolID = declare(Identifier(rootName, span: rootSpan), kind: .latent, type: type,
                                   scope: body?.bodyScope ?? scopes.count - 1)
            }
            if let symbolID {
                if !indices.isEmpty { elementSites.insert(symbolID) }
                result.definitions[statement.id] = symbolID
                result.references[rootExprID(lhs)] = symbolID
                facts.root = symbolID
                result.types[rootExprID(lhs)] = type
            }
            result.types[lhs.id] = drawn
            if let text = literalAddress(rootName, indices), !literalAddresses.isEmpty {
                literalAddresses[literalAddresses.count - 1][text] = lhs.span
            }
            recordLatent(rootName, type: type, family: family, span: lhs.span)
        }
        result.choices[statement.id] = facts
    }

    /// Checks a distribution's name and arguments; returns the family and the argument
    /// positions that are arrays where the family takes a scalar.
    private mutating func checkDistribution(_ d: DistributionExpr) -> (Family, [Int])? {
        let argumentTypes = d.arguments.map { typeOf($0) }
        guard let family = Catalogue.family(named: d.name.name) else {
            if result.functions[d.name.name] != nil || Builtin(rawValue: d.name.name) != nil {
                report(.notADistribution(d.name.name, what: "a function"), at: d.name.span,
                       notes: [.init("compute values with 'let': 'let x = \(d.name.name)(...)'")])
            } else if result.models[d.name.name] != nil {
                report(.notADistribution(d.name.name, what: "a model"), at: d.name.span)
            } else {
                var notes: [Diagnostic.Note] = []
                if let suggestion = closestName(to: d.name.name, among: Catalogue.names) {
                    notes.append(.init("did you mean '\(suggestion)'?"))
                } else {
                    notes.append(.init("known distributions: \(Catalogue.names.joined(separator: ", "))"))
                }
                report(.unknownDistribution(d.name.name), at: d.name.span, notes: notes)
            }
            return nil
        }
        guard d.arguments.count == family.parameters.count else {
            report(.distributionArity(family.name, parameters: family.parameters.map(\.name), given: d.arguments.count),
                   at: d.span)
            return nil
        }
        var vectorised: [Int] = []
        var ok = true
        for (i, (argument, spec)) in zip(d.arguments, family.parameters).enumerated() {
            guard let type = argumentTypes[i] else { ok = false; continue }
            if coerce(argument, from: type, to: spec.type) { continue }
            if case .array(let element) = type, element.widens(to: spec.type) {
                if element != spec.type { result.coercions[argument.id] = .array(spec.type) }
                vectorised.append(i)
                continue
            }
            report(.distributionArgumentType(family: family.name, parameter: spec.name, expected: spec.type, found: type),
                   at: argument.span)
            ok = false
        }
        return ok ? (family, vectorised) : nil
    }

    private mutating func checkAssignment(target: Expr, value: Expr) {
        let valueType = typeOf(value)
        guard let (rootName, rootSpan, indices) = decomposeTarget(target) else {
            report(.assignTarget, at: target.span)
            return
        }
        guard let symbolID = lookup(rootName) else {
            reportUndefined(rootName, at: rootSpan)
            return
        }
        let symbol = result.symbols[symbolID.raw]
        result.references[rootExprID(target)] = symbolID
        result.types[rootExprID(target)] = symbol.type
        guard symbol.kind == .variable else {
            let what = switch symbol.kind {
            case .parameter: "a parameter"
            case .constant, .reported, .local: "a 'let' constant"
            case .loopVariable: "a loop variable"
            case .latent: "a random choice"
            case .function: "a function"
            case .model: "a model"
            case .variable: "a variable"
            }
            report(.assignToImmutable(rootName, what: what), at: rootSpan,
                   notes: symbol.kind == .reported || symbol.kind == .local || symbol.kind == .constant
                       ? [.init("declare it with 'var' to make it mutable", at: symbol.span)] : [])
            return
        }
        for index in indices {
            if let type = typeOf(index), !coerce(index, from: type, to: .int) || type == .bool {
                report(.indexType(type), at: index.span)
            }
        }
        guard let expected = elementType(of: symbol.type, depth: indices.count, span: target.span) else { return }
        result.types[target.id] = expected
        if let valueType, !coerce(value, from: valueType, to: expected) {
            report(.assignType(rootName, expected: expected, found: valueType), at: value.span)
        }
    }

    private mutating func checkReturn(_ statement: Statement, value: Expr?) {
        guard let context = body else { return }
        let valueType = value.flatMap { typeOf($0) }
        if context.isModel {
            guard let value, let valueType else { return }
            if let previous = context.modelReturnType, previous != valueType {
                if valueType.widens(to: previous) {
                    _ = coerce(value, from: valueType, to: previous)
                } else if previous.widens(to: valueType) {
                    body?.modelReturnType = valueType
                } else {
                    report(.modelReturnTypes(context.name, previous, valueType), at: value.span)
                }
            } else {
                body?.modelReturnType = valueType
            }
            return
        }
        guard context.declaresReturn else {
            if let value {
                report(.returnValueFromVoid(context.name), at: value.span,
                       notes: [.init("declare the return type: 'fn \(context.name)(...) -> \(valueType.map(String.init(describing:)) ?? "Real")'")])
            }
            return
        }
        guard let expected = context.returnType else { return }
        guard let value else {
            report(.returnWithoutValue(context.name, expected: expected), at: statement.span)
            return
        }
        if let valueType, !coerce(value, from: valueType, to: expected) {
            report(.returnType(context.name, expected: expected, found: valueType), at: value.span)
        }
    }

    private mutating func checkCondition(_ condition: Expr) {
        guard let type = typeOf(condition) else { return }
        if type == .bool { return }
        if type == .int {
            result.coercions[condition.id] = .bool
            return
        }
        report(.conditionType(type), at: condition.span)
    }

    // MARK: - Expressions

    /// The type of an expression, recorded in `result.types`; nil after an error (already reported).
    private mutating func typeOf(_ e: Expr) -> ValueType? {
        let type = computeType(e)
        if let type { result.types[e.id] = type }
        return type
    }

    private mutating func computeType(_ e: Expr) -> ValueType? {
        switch e.kind {
        case .int: return .int
        case .real: return .real
        case .bool: return .bool
        case .invalid: return nil

        case .name(let name):
            guard let symbolID = lookup(name) else {
                if Catalogue.family(named: name) != nil {
                    report(.distributionAsValue(name), at: e.span, notes: [.init("draw from it with 'x ~ \(name)(...)'")])
                } else {
                    reportUndefined(name, at: e.span)
                }
                return nil
            }
            let symbol = result.symbols[symbolID.raw]
            if symbol.kind == .constant, let queryStart, symbol.span.start > queryStart {
                report(.usedBeforeDefinition(name), at: e.span, notes: [.init("'\(name)' is defined here", at: symbol.span)])
                return nil
            }
            result.references[e.id] = symbolID
            switch symbol.kind {
            case .function:
                report(.notAValue(name, what: "a function"), at: e.span, notes: [.init("call it: '\(name)(...)'")])
                return nil
            case .model:
                report(.notAValue(name, what: "a model"), at: e.span)
                return nil
            default:
                return symbol.type
            }

        case .array(let elements):
            var joined: ValueType?
            var first: ValueType?
            for element in elements {
                guard let type = typeOf(element) else { return nil }
                guard let current = joined else { joined = type; first = type; continue }
                if type == current { continue }
                if type.widens(to: current) { continue }
                if current.widens(to: type) { joined = type; continue }
                report(.arrayElementTypes(first ?? current, type), at: element.span)
                return nil
            }
            guard let element = joined else { return .array(.real) }
            for item in elements {
                if let type = result.types[item.id], type != element { result.coercions[item.id] = element }
            }
            return .array(element)

        case .index(let base, let index):
            let baseType = typeOf(base)
            let indexType = typeOf(index)
            if let indexType, indexType != .int {
                report(.indexType(indexType), at: index.span)
                return nil
            }
            guard let baseType else { return nil }
            guard let element = baseType.elementType else {
                report(.indexNonArray(baseType), at: base.span)
                return nil
            }
            return element

        case .field:
            report(.fieldOutsideQuery, at: e.span)
            return nil

        case .call(let callee, let arguments):
            return checkCall(e, callee: callee, arguments: arguments, asStatement: false)

        case .unary(let op, let operand):
            guard let type = typeOf(operand) else { return nil }
            switch op {
            case .negate:
                if type.isNumber || type.isNumberArray || type == .matrix { return type }
            case .not:
                if type == .bool { return .bool }
            }
            report(.unaryOperand(op.rawValue, type), at: e.span)
            return nil

        case .binary(let op, let lhs, let rhs):
            let l = typeOf(lhs)
            let r = typeOf(rhs)
            guard let l, let r else { return nil }
            guard let type = binaryType(op, l, r, lhs: lhs, rhs: rhs) else {
                var notes: [Diagnostic.Note] = []
                if (op == .and || op == .or), l == .int || r == .int {
                    notes.append(.init("compare integers to get a 'Bool', e.g. 'z == 1'"))
                }
                report(.binaryOperands(op, l, r), at: e.span, notes: notes)
                return nil
            }
            return type

        case .conditional(let condition, let then, let otherwise):
            checkCondition(condition)
            let a = typeOf(then)
            let b = typeOf(otherwise)
            guard let a, let b else { return nil }
            if a == b { return a }
            if a.widens(to: b) { result.coercions[then.id] = b; return b }
            if b.widens(to: a) { result.coercions[otherwise.id] = a; return a }
            report(.conditionalBranchTypes(a, b), at: e.span)
            return nil
        }
    }

    private mutating func binaryType(_ op: BinaryOperator, _ l: ValueType, _ r: ValueType, lhs: Expr, rhs: Expr) -> ValueType? {
        switch op {
        case .and, .or:
            return l == .bool && r == .bool ? .bool : nil
        case .equal, .notEqual:
            if l == .bool && r == .bool { return .bool }
            guard l.isNumber, r.isNumber else { return nil }
            widen(lhs, l, rhs, r)
            return .bool
        case .less, .lessEqual, .greater, .greaterEqual:
            guard l.isNumber, r.isNumber else { return nil }
            widen(lhs, l, rhs, r)
            return .bool
        case .remainder:
            return l == .int && r == .int ? .int : nil
        case .add, .subtract, .multiply, .divide:
            if l.isNumber, r.isNumber {
                if op == .divide {
                    if l == .int { result.coercions[lhs.id] = .real }
                    if r == .int { result.coercions[rhs.id] = .real }
                    return .real
                }
                if l == .int, r == .int { return .int }
                widen(lhs, l, rhs, r)
                return .real
            }
            // Element-wise on arrays of numbers, with a scalar broadcast over an array.
            let lArray = l.isNumberArray, rArray = r.isNumberArray
            if (lArray || l.isNumber) && (rArray || r.isNumber) {
                let bothInt = (l == .int || l == .array(.int)) && (r == .int || r == .array(.int))
                if bothInt && op != .divide { return .array(.int) }
                for (side, type) in [(lhs, l), (rhs, r)] {
                    if type == .int { result.coercions[side.id] = .real }
                    if type == .array(.int) { result.coercions[side.id] = .array(.real) }
                }
                return .array(.real)
            }
            // Matrices: sums of matrices, scalar multiples, matrix products and matrix-vector products.
            switch (l, r) {
            case (.matrix, .matrix):
                return op == .divide ? nil : .matrix
            case (.matrix, _) where r.isNumber && (op == .multiply || op == .divide):
                if r == .int { result.coercions[rhs.id] = .real }
                return .matrix
            case (_, .matrix) where l.isNumber && op == .multiply:
                if l == .int { result.coercions[lhs.id] = .real }
                return .matrix
            case (.matrix, _) where r.isNumberArray && op == .multiply:
                if r == .array(.int) { result.coercions[rhs.id] = .array(.real) }
                return .array(.real)
            default:
                return nil
            }
        }
    }

    /// Records Int-to-Real conversion of the Int side of a mixed comparison or arithmetic.
    private mutating func widen(_ lhs: Expr, _ l: ValueType, _ rhs: Expr, _ r: ValueType) {
        if l == .int, r == .real { result.coercions[lhs.id] = .real }
        if r == .int, l == .real { result.coercions[rhs.id] = .real }
    }

    private mutating func checkCall(_ e: Expr, callee: Identifier, arguments: [Expr], asStatement: Bool) -> ValueType? {
        let name = callee.name
        let argumentTypes = arguments.map { typeOf($0) }
        if let signature = result.functions[name] {
            result.calls[e.id] = .function(signature.symbol)
            body?.facts.calledFunctions.insert(name)
            if body == nil, stochasticFunctions.contains(name) {
                report(.stochasticCallOutsideModel(name), at: callee.span)
            }
            guard arguments.count == signature.parameters.count else {
                report(.functionArity(name, expected: signature.parameters.count, given: arguments.count), at: e.span)
                return nil
            }
            for (i, argument) in arguments.enumerated() {
                guard let type = argumentTypes[i], let expected = signature.parameters[i].type else { continue }
                if !coerce(argument, from: type, to: expected) {
                    report(.functionArgumentType(function: name, parameter: signature.parameters[i].name,
                                                 expected: expected, found: type), at: argument.span)
                }
            }
            if signature.returnType == nil, !asStatement {
                report(.voidValue(name), at: e.span)
                return nil
            }
            return signature.returnType
        }
        if let builtin = Builtin(rawValue: name) {
            result.calls[e.id] = .builtin(builtin)
            let known = argumentTypes.compactMap { $0 }
            guard known.count == argumentTypes.count else { return nil }
            switch builtin.resultType(known) {
            case .success(let type):
                if asStatement { report(.unusedResult(name), at: e.span) }
                return type
            case .failure(.arity(let expected)):
                report(.builtinArity(name, expected: expected, given: arguments.count), at: e.span)
            case .failure(.argument(let i, let expected)):
                report(.builtinArgumentType(name, position: i, expected: expected, found: known[i]), at: arguments[i].span)
            }
            return nil
        }
        if result.models[name] != nil {
            report(.modelCalled(name), at: callee.span, notes: [.init("write reusable code as a 'fn'")])
            return nil
        }
        if Catalogue.family(named: name) != nil {
            report(.distributionAsValue(name), at: e.span, notes: [.init("draw from it with 'x ~ \(name)(...)'")])
            return nil
        }
        let candidates = Array(result.functions.keys) + Builtin.allCases.map(\.rawValue)
        var notes: [Diagnostic.Note] = []
        if name == "range" { notes.append(.init("loop over a range with 'for i in 0..<n'")) }
        else if let suggestion = closestName(to: name, among: candidates) { notes.append(.init("did you mean '\(suggestion)'?")) }
        else if let suggestion = closestName(to: name, among: Catalogue.names) {
            notes.append(.init("did you mean the distribution '\(suggestion)'? draw from it with '~'"))
        }
        report(.unknownFunction(name), at: callee.span, notes: notes)
        return nil
    }

    // MARK: - Queries

    private mutating func checkQuery(_ q: QueryDecl) {
        queryStart = q.span.start
        defer { queryStart = nil }
        let argumentTypes = q.arguments.map { typeOf($0) }
        guard let signature = result.models[q.model.name] else {
            var notes: [Diagnostic.Note] = []
            if let suggestion = closestName(to: q.model.name, among: result.models.keys) {
                notes.append(.init("did you mean '\(suggestion)'?"))
            } else if result.functions[q.model.name] != nil {
                notes.append(.init("'\(q.model.name)' is a function; queries run models"))
            }
            report(.unknownModel(q.model.name), at: q.model.span, notes: notes)
            return
        }
        if !q.arguments.isEmpty, q.arguments.count != signature.parameters.count {
            report(.modelArity(q.model.name, expected: signature.parameters.count, given: q.arguments.count),
                   at: q.model.span.merged(with: q.arguments.last?.span ?? q.model.span),
                   notes: [.init("pass every argument, or none to bind them all from '--data'")])
        } else {
            for (i, argument) in q.arguments.enumerated() {
                guard let type = argumentTypes[i], let expected = signature.parameters[i].type else { continue }
                if !coerce(argument, from: type, to: expected) {
                    report(.modelArgumentType(model: q.model.name, parameter: signature.parameters[i].name,
                                              expected: expected, found: type), at: argument.span)
                }
            }
        }
        let facts = modelFacts[q.model.name] ?? ModelFacts()
        if q.kind == .counterfactual, q.interventions.isEmpty {
            report(.counterfactualWithoutDo, at: q.span.start < q.model.span.start
                       ? SourceSpan(file: q.span.file, start: q.span.start, end: q.model.span.start - 1) : q.model.span,
                   notes: [.init("without an intervention the question is an ordinary 'infer'")])
        }
        let interventions = checkAddresses(q.interventions.map { ($0.target, $0.value) }, clause: "do", model: q.model.name, facts: facts)
        let conditions = checkAddresses(q.conditions.map { ($0.target, $0.value) }, clause: "given", model: q.model.name, facts: facts)
        let reports = checkAddresses(q.reports.map { ($0, nil) }, clause: "report", model: q.model.name, facts: facts)
        var engine = EngineName.default
        var addressOptions: [String: [QueryAddress]] = [:]
        if let spec = q.engine {
            engine = spec.name.name
            if !EngineName.all.contains(spec.name.name) {
                let suggestion = closestName(to: spec.name.name, among: EngineName.all)
                report(.unknownEngine(spec.name.name), at: spec.name.span,
                       notes: [.init(suggestion.map { "did you mean '\($0)'?" }
                                     ?? "engines: \(EngineName.all.joined(separator: ", "))")])
            }
            var seen: Set<String> = []
            for option in spec.options {
                if !seen.insert(option.name.name).inserted {
                    report(.duplicateEngineOption(option.name.name), at: option.name.span)
                }
                if EngineName.countOptions[option.name.name] == nil,
                   let addresses = optionAddresses(option.value, model: q.model.name, facts: facts) {
                    addressOptions[option.name.name] = addresses
                    continue
                }
                // A bare word such as `systematic` or `enumerate` is a symbolic option value that
                // the engine checks against its own list (resampling schemes, Gibbs kernels).
                if case .name(let word) = option.value.kind, lookup(word) == nil,
                   EngineName.symbolicValues.contains(word) { continue }
                let type = typeOf(option.value)
                guard let minimum = EngineName.countOptions[option.name.name], let type else { continue }
                if type != .int {
                    report(.engineOptionType(option.name.name, found: type), at: option.value.span)
                } else if let value = intLiteral(option.value), value < minimum {
                    report(.engineOptionRange(option.name.name, minimum: minimum), at: option.value.span)
                }
            }
        }
        if engine == "enumerate" {
            let fixed = Set((interventions + conditions).compactMap { address -> String? in
                guard address.components.count == 1, case .name(let n) = address.components[0] else { return nil }
                return n
            })
            if let site = continuousSites(of: facts).first(where: { !fixed.contains($0.name) }) {
                report(.enumerateContinuous(site.name, family: site.family), at: q.engine?.name.span ?? q.model.span,
                       notes: [.init("'\(site.name)' is drawn here", at: site.span),
                               .init("use 'smc', 'lw', 'mh' or 'gibbs' for models with continuous choices")])
            }
        }
        result.queries.append(CheckedQuery(declaration: q, model: signature.symbol, interventions: interventions,
                                           conditions: conditions, reports: reports, engine: engine,
                                           addressOptions: addressOptions))
    }

    /// Whether an expression names something other than top-level constants and built-ins, or calls a distribution.
    private static func readsModelOrDistribution(_ e: Expr, constants: Set<String>) -> Bool {
        switch e.kind {
        case .name(let n): return !constants.contains(n)
        case .call(let callee, let arguments):
            return Catalogue.family(named: callee.name) != nil
                || arguments.contains { readsModelOrDistribution($0, constants: constants) }
        case .array(let items): return items.contains { readsModelOrDistribution($0, constants: constants) }
        case .index(let base, let index):
            return readsModelOrDistribution(base, constants: constants) || readsModelOrDistribution(index, constants: constants)
        case .unary(_, let inner): return readsModelOrDistribution(inner, constants: constants)
        case .binary(_, let a, let b):
            return readsModelOrDistribution(a, constants: constants) || readsModelOrDistribution(b, constants: constants)
        case .conditional(let c, let a, let b):
            return [c, a, b].contains { readsModelOrDistribution($0, constants: constants) }
        default: return false
        }
    }

    private mutating func checkAddresses(_ bindings: [(Expr, Expr?)], clause: String, model: String,
                                         facts: ModelFacts) -> [QueryAddress] {
        var addresses: [QueryAddress] = []
        var seen: Set<String> = []
        for (target, value) in bindings {
            // A `do` value may read the model's own variables (`do(x = 0.5 * y)`) or name a new
            // distribution (`do(x = Normal(0, 1))`); the Intervene pass resolves and checks those
            // inside the model, so only values made of constants are typed here.
            if let value, !(clause == "do" && Self.readsModelOrDistribution(value, constants: Set(constantNames.keys))) {
                _ = typeOf(value)
            }
            guard let components = addressComponents(target) else {
                report(.notAnAddress(clause: clause), at: target.span)
                continue
            }
            let address = QueryAddress(components: components, value: value, span: target.span)
            guard case .name(let root) = components.first else { continue }
            if facts.parameters.contains(root), clause != "report" {
                if clause == "do" {
                    report(.interveneOnData(root), at: target.span)
                } else {
                    report(.unknownAddress(clause: clause, address: address.text, model: model), at: target.span,
                           notes: [.init("'\(root)' is a parameter of '\(model)': pass its value as an argument")])
                }
                continue
            }
            var known = facts.latents.union(facts.calledFunctions)
            if clause == "report" { known.formUnion(facts.reported) }
            if !known.contains(root) {
                let suggestion = closestName(to: root, among: known)
                report(.unknownAddress(clause: clause, address: address.text, model: model), at: target.span,
                       notes: suggestion.map { [.init("did you mean '\($0)'?")] } ?? [])
                continue
            }
            if !seen.insert(address.text).inserted {
                report(.duplicateAddress(clause: clause, address: address.text), at: target.span)
                continue
            }
            // A value for a model's own latent must fit its type (choices nested in calls are not typed here).
            if let value, let found = result.types[value.id], var expected = facts.latentTypes[root],
               !components.contains(where: { if case .field = $0 { true } else { false } }) {
                var depthOK = true
                for _ in components.dropFirst() {
                    guard let element = expected.elementType else { depthOK = false; break }
                    expected = element
                }
                if !depthOK {
                    report(.indexNonArray(expected), at: target.span)
                    continue
                }
                if !coerce(value, from: found, to: expected) {
                    report(.addressValueType(clause: clause, address: address.text, expected: expected, found: found),
                           at: value.span)
                    continue
                }
            }
            addresses.append(address)
        }
        return addresses
    }

    /// An option value that names choices of the model (`z`, `[mu, z]`), checked as addresses;
    /// nil when it is an ordinary value (a number, a constant).
    private mutating func optionAddresses(_ value: Expr, model: String, facts: ModelFacts) -> [QueryAddress]? {
        let items: [Expr]
        if case .array(let elements) = value.kind { items = elements } else { items = [value] }
        guard !items.isEmpty else { return nil }
        let choiceNames = facts.latents.union(facts.calledFunctions)
        var namesAChoice = false
        for item in items {
            guard let components = addressComponents(item), case .name(let root) = components.first else { return nil }
            // A top-level constant makes it a value, unless the model has a choice of that name.
            if choiceNames.contains(root) { namesAChoice = true } else if lookup(root) != nil { return nil }
        }
        // All addresses, at least one a choice: the others are misspelt choices, not values.
        guard namesAChoice else { return nil }
        return checkAddresses(items.map { ($0, nil) }, clause: "with", model: model, facts: facts)
    }

    /// The continuous latent sites of a model and of the functions it calls, transitively.
    private func continuousSites(of facts: ModelFacts) -> [(name: String, family: String, span: SourceSpan)] {
        var sites = facts.continuous
        var visited: Set<String> = []
        var pending = Array(facts.calledFunctions)
        while let name = pending.popLast() {
            guard visited.insert(name).inserted, let called = functionFacts[name] else { continue }
            sites += called.continuous.map { ("\(name)[...].\($0.name)", $0.family, $0.span) }
            pending += called.calledFunctions
        }
        return sites
    }

    private func intLiteral(_ e: Expr) -> Int? {
        switch e.kind {
        case .int(let n): n
        case .unary(.negate, let inner): intLiteral(inner).map { -$0 }
        default: nil
        }
    }

    /// `p`, `z[3]`, `step[2].x` as components; nil when the expression is not an address.
    private func addressComponents(_ e: Expr) -> [AddressComponent]? {
        switch e.kind {
        case .name(let name): return [.name(name)]
        case .index(let base, let index):
            guard var components = addressComponents(base) else { return nil }
            guard case .int(let i) = index.kind, i >= 0 else { return nil }
            components.append(.index(i))
            return components
        case .field(let base, let name):
            guard var components = addressComponents(base) else { return nil }
            components.append(.field(name.name))
            return components
        default: return nil
        }
    }

    // MARK: - Names

    private mutating func declareGlobal(_ name: Identifier, kind: Symbol.Kind, type: ValueType?, owner: NodeID?) -> SymbolID? {
        declare(name, kind: kind, type: type, scope: 0)
    }

    private mutating func declareLocal(_ name: Identifier, kind: Symbol.Kind, type: ValueType?) -> SymbolID? {
        declare(name, kind: kind, type: type, scope: scopes.count - 1)
    }

    private mutating func declare(_ name: Identifier, kind: Symbol.Kind, type: ValueType?, scope: Int) -> SymbolID? {
        if name.name == "<error>" { return nil }
        if let existing = scopes[scope][name.name] {
            let previous = result.symbols[existing.raw]
            report(.redeclaration(name.name), at: name.span, notes: [.init("'\(name.name)' was first declared here", at: previous.span)])
            return nil
        }
        let id = SymbolID(result.symbols.count)
        result.symbols.append(Symbol(id: id, name: name.name, kind: kind, type: type, span: name.span, owner: body?.owner))
        scopes[scope][name.name] = id
        return id
    }

    private func lookup(_ name: String) -> SymbolID? {
        for scope in scopes.reversed() {
            if let id = scope[name] { return id }
        }
        return nil
    }

    private mutating func reportUndefined(_ name: String, at span: SourceSpan) {
        if let declaredAt = body?.declaredNames[name] ?? (body == nil ? constantNames[name] : nil),
           declaredAt.start > span.start {
            report(.usedBeforeDefinition(name), at: span, notes: [.init("'\(name)' is defined here", at: declaredAt)])
            return
        }
        var candidates: Set<String> = []
        for scope in scopes { candidates.formUnion(scope.keys) }
        var notes: [Diagnostic.Note] = []
        if let suggestion = closestName(to: name, among: candidates) {
            notes.append(.init("did you mean '\(suggestion)'?"))
        } else if body?.declaredNames[name] != nil {
            notes.append(.init("'\(name)' is declared in an inner block and is not visible here"))
        }
        report(.undefinedName(name), at: span, notes: notes)
    }

    /// Every name a body declares (let, var, for, `~` roots), with its first place.
    private func collectDeclaredNames(_ statements: [Statement], into names: inout [String: SourceSpan]) {
        for statement in statements {
            switch statement.kind {
            case .letBinding(let name, _, _), .varBinding(let name, _, _):
                if names[name.name] == nil { names[name.name] = name.span }
            case .tilde(let lhs, _):
                if let (root, span, _) = decomposeTarget(lhs), names[root] == nil { names[root] = span }
            case .forLoop(_, _, let loopBody):
                collectDeclaredNames(loopBody.statements, into: &names)
            case .whileLoop(_, _, let loopBody):
                collectDeclaredNames(loopBody.statements, into: &names)
            case .ifElse(let clauses, let elseBlock):
                for clause in clauses { collectDeclaredNames(clause.body.statements, into: &names) }
                if let elseBlock { collectDeclaredNames(elseBlock.statements, into: &names) }
            default: break
            }
        }
    }

    /// `x[0][2]` when every index is an Int literal; nil otherwise.
    private func literalAddress(_ root: String, _ indices: [Expr]) -> String? {
        var text = root
        for index in indices {
            guard case .int(let i) = index.kind else { return nil }
            text += "[\(i)]"
        }
        return text
    }

    private mutating func recordLatent(_ name: String, type: ValueType?, family: Family, span: SourceSpan) {
        body?.facts.latents.insert(name)
        if let type { body?.facts.latentTypes[name] = type }
        if !family.isDiscrete { body?.facts.continuous.append((name, family.name, span)) }
    }

    /// `x`, `x[i]`, `x[i][j]` as (root, root span, indices); nil for anything else.
    private func decomposeTarget(_ e: Expr) -> (String, SourceSpan, [Expr])? {
        var indices: [Expr] = []
        var current = e
        while true {
            switch current.kind {
            case .name(let name): return (name, current.span, indices.reversed())
            case .index(let base, let index):
                indices.append(index)
                current = base
            default: return nil
            }
        }
    }

    private func rootExprID(_ e: Expr) -> NodeID {
        var current = e
        while case .index(let base, _) = current.kind { current = base }
        return current.id
    }

    /// The type after `depth` indexings, reporting when the value cannot be indexed that deep.
    private mutating func elementType(of type: ValueType?, depth: Int, span: SourceSpan) -> ValueType? {
        guard var current = type else { return nil }
        for _ in 0..<depth {
            guard let element = current.elementType else {
                report(.indexNonArray(current), at: span)
                return nil
            }
            current = element
        }
        return current
    }

    // MARK: - Types

    /// Resolves a type without reporting (signatures are resolved again, loudly, with their bodies).
    private func resolveQuietly(_ syntax: TypeSyntax) -> ValueType? {
        var copy = self
        return copy.resolve(syntax)
    }

    private mutating func resolve(_ syntax: TypeSyntax) -> ValueType? {
        switch syntax.kind {
        case .array(let element): return resolve(element).map { .array($0) }
        case .named(let name):
            switch name {
            case "Real": return .real
            case "Int": return .int
            case "Bool": return .bool
            case "Vector": return .array(.real)
            case "Matrix": return .matrix
            case "<error>": return nil
            default:
                let known = ["Real", "Int", "Bool", "Vector", "Matrix"]
                var notes: [Diagnostic.Note] = []
                if let suggestion = closestName(to: name, among: known) { notes.append(.init("did you mean '\(suggestion)'?")) }
                else { notes.append(.init("types are Real, Int, Bool, Vector, Matrix and arrays such as '[Real]'")) }
                report(.unknownType(name), at: syntax.span, notes: notes)
                return nil
            }
        }
    }

    /// Whether a value of type `from` may stand where `to` is expected; records the conversion.
    private mutating func coerce(_ e: Expr, from: ValueType, to: ValueType) -> Bool {
        if from == to { return true }
        // `[]` takes whatever array type the context wants.
        if case .array(let elements) = e.kind, elements.isEmpty, case .array = to {
            result.types[e.id] = to
            return true
        }
        guard from.widens(to: to) else { return false }
        result.coercions[e.id] = to
        return true
    }

    // MARK: - Returns and effects

    /// The functions that make random choices: a syntactic fixpoint over bodies and calls.
    private func findStochasticFunctions() -> Set<String> {
        var calls: [String: Set<String>] = [:]
        var stochastic: Set<String> = []
        for declaration in program.declarations {
            guard case .function(let f) = declaration else { continue }
            var effects = Effects()
            effects.scan(f.body.statements)
            calls[f.name.name] = effects.calls
            if effects.choices { stochastic.insert(f.name.name) }
        }
        var changed = true
        while changed {
            changed = false
            for (name, callees) in calls where !stochastic.contains(name) && !callees.isDisjoint(with: stochastic) {
                stochastic.insert(name)
                changed = true
            }
        }
        return stochastic
    }

    /// Whether statements make choices, and which functions they call.
    private struct Effects {
        var choices = false
        var calls: Set<String> = []

        mutating func scan(_ statements: [Statement]) {
            for statement in statements {
                switch statement.kind {
                case .tilde(let lhs, let d): choices = true; scan(lhs); d.arguments.forEach { scan($0) }
                case .observe(let d, let v): choices = true; d.arguments.forEach { scan($0) }; scan(v)
                case .factor(let v): choices = true; scan(v)
                case .letBinding(_, _, let v), .varBinding(_, _, let v), .expression(let v): scan(v)
                case .assign(let t, let v): scan(t); scan(v)
                case .forLoop(_, let sequence, let b):
                    switch sequence {
                    case .range(let l, let u): scan(l); scan(u)
                    case .array(let a): scan(a)
                    }
                    scan(b.statements)
                case .whileLoop(let c, let m, let b): scan(c); m.map { scan($0) }; scan(b.statements)
                case .ifElse(let clauses, let e):
                    for clause in clauses { scan(clause.condition); scan(clause.body.statements) }
                    e.map { scan($0.statements) }
                case .returnValue(let v): v.map { scan($0) }
                }
            }
        }

        mutating func scan(_ e: Expr) {
            switch e.kind {
            case .call(let callee, let arguments): calls.insert(callee.name); arguments.forEach { scan($0) }
            case .array(let xs): xs.forEach { scan($0) }
            case .index(let b, let i): scan(b); scan(i)
            case .field(let b, _): scan(b)
            case .unary(_, let x): scan(x)
            case .binary(_, let l, let r): scan(l); scan(r)
            case .conditional(let c, let t, let f): scan(c); scan(t); scan(f)
            default: break
            }
        }
    }

    private func alwaysReturns(_ statements: [Statement]) -> Bool {
        for statement in statements {
            switch statement.kind {
            case .returnValue: return true
            case .ifElse(let clauses, let elseBlock):
                if let elseBlock, alwaysReturns(elseBlock.statements),
                   clauses.allSatisfy({ alwaysReturns($0.body.statements) }) { return true }
            default: continue
            }
        }
        return false
    }

    private func closingBrace(_ block: Block) -> SourceSpan {
        SourceSpan(file: block.span.file, start: max(block.span.start, block.span.end - 1), end: block.span.end)
    }

    private mutating func report(_ diagnostic: SemaDiagnostic, at span: SourceSpan, notes: [Diagnostic.Note] = []) {
        diagnostics.append(Diagnostic(diagnostic.severity, diagnostic.message, at: span, notes: notes))
        codes.append(diagnostic.code)
    }
}
