import PPLDiagnostics

/// Recursive-descent parser for Grammar/ppl.ebnf: one method per rule, the rule in its comment.
///
/// Errors use panic-mode recovery (Crafting Interpreters, ch. 6): after the first error in a
/// statement or declaration the parser stops reporting, skips to the next line that starts a
/// statement or declaration and carries on, so one run reports several independent errors.
/// Nesting is capped at `maximumDepth` so deep input gives an error instead of a stack overflow.
public struct Parser {
    /// Deepest nesting of blocks, expressions and types the parser accepts.
    public static let maximumDepth = 256

    private let file: SourceFile
    private var tokens: [Token]
    private var position = 0
    private var diagnostics: [Diagnostic]
    private var panicking = false
    private var depth = 0
    private var reportedDepth = false
    private var nextID = 0
    private var damaged: [Range<Int>] = []
    /// Token index of the last reported error.
    private var errorPosition = -1

    /// Parses a whole file; the program is complete even when there are errors (bad parts become `.invalid`).
    public static func parse(_ file: SourceFile) -> (program: Program, diagnostics: [Diagnostic]) {
        var parser = Parser(file: file)
        let declarations = parser.parseProgram()
        let program = Program(file: file, declarations: declarations, nodeCount: parser.nextID, damaged: parser.damaged)
        return (program, parser.diagnostics)
    }

    /// Convenience for tests and the REPL.
    public static func parse(_ text: String, name: String = "<input>") -> (program: Program, diagnostics: [Diagnostic]) {
        parse(SourceFile(name: name, text: text))
    }

    private init(file: SourceFile) {
        self.file = file
        let lexed = Lexer(file: file).tokenize()
        self.tokens = lexed.tokens
        self.diagnostics = lexed.diagnostics
    }

    // MARK: - Declarations

    /// program = { declaration } EOF ;
    private mutating func parseProgram() -> [Declaration] {
        var declarations: [Declaration] = []
        while !atEnd {
            let before = position
            if let declaration = parseDeclaration() { declarations.append(declaration) }
            if panicking || position == before {
                synchronizeDeclaration(from: before)
                markDamaged(from: before)
            }
        }
        return declarations
    }

    /// declaration = model_decl | fn_decl | const_decl | query ;
    private mutating func parseDeclaration() -> Declaration? {
        switch current.kind {
        case .keyword(.model): return .model(parseModel())
        case .keyword(.fn): return .function(parseFunction())
        case .keyword(.let): return .constant(parseConstant())
        case .keyword(.infer), .keyword(.counterfactual): return .query(parseQuery())
        case .keyword(.var):
            error("top-level values are immutable; use 'let'", at: current)
            return nil
        default:
            var notes: [Diagnostic.Note] = []
            if case .symbol(.halfOpenRange) = current.kind {
                notes.append(.init("ranges 'a..<b' are allowed only in 'for' loops"))
            }
            if position > 0, !current.startsLine {
                error("unexpected \(current.kind) after the declaration", at: current, notes: notes)
                return nil
            }
            if case .identifier = current.kind, case .symbol(.tilde) = peek(1).kind {
                notes.append(.init("random choices belong inside a 'model' body"))
            }
            error("expected 'model', 'fn', 'let', 'infer' or 'counterfactual', found \(current.kind)",
                  at: current, notes: notes)
            return nil
        }
    }

    /// model_decl = "model" IDENT "(" [ parameters ] ")" block ;
    private mutating func parseModel() -> ModelDecl {
        let start = advance()
        let id = makeID()
        let name = expectIdentifier("a model name")
        let parameters = parseParameters()
        let body = parseBlock()
        return ModelDecl(id: id, name: name, parameters: parameters, body: body, span: spanFrom(start))
    }

    /// fn_decl = "fn" IDENT "(" [ parameters ] ")" [ "->" type ] block ;
    private mutating func parseFunction() -> FunctionDecl {
        let start = advance()
        let id = makeID()
        let name = expectIdentifier("a function name")
        let parameters = parseParameters()
        var returnType: TypeSyntax?
        if match(.arrow) { returnType = parseType() }
        let body = parseBlock()
        return FunctionDecl(id: id, name: name, parameters: parameters, returnType: returnType,
                            body: body, span: spanFrom(start))
    }

    /// parameters = "(" [ parameter { "," parameter } [ "," ] ] ")" ;
    private mutating func parseParameters() -> [Parameter] {
        var parameters: [Parameter] = []
        guard expect(.leftParen, "'(' to start the parameter list") else { return [] }
        while !check(.rightParen), !atEnd, !panicking {
            parameters.append(parseParameter())
            if !match(.comma) { break }
        }
        expect(.rightParen, "')' to end the parameter list")
        return parameters
    }

    /// parameter = IDENT ":" type ;
    private mutating func parseParameter() -> Parameter {
        let start = current
        let id = makeID()
        let name = expectIdentifier("a parameter name")
        let type: TypeSyntax
        if expect(.colon, "':' and a type after parameter '\(name.name)'",
                  notes: [.init("parameters declare their types, e.g. '\(name.name): Real'")]) {
            type = parseType()
        } else {
            type = TypeSyntax(.named("<error>"), span: name.span)
        }
        return Parameter(id: id, name: name, type: type, span: spanFrom(start))
    }

    /// type = IDENT | "[" type "]" ;
    private mutating func parseType() -> TypeSyntax {
        let start = current
        guard enterNesting() else { return TypeSyntax(.named("<error>"), span: span(of: current)) }
        defer { depth -= 1 }
        if match(.leftBracket) {
            let element = parseType()
            expect(.rightBracket, "']' to close the array type")
            return TypeSyntax(.array(element), span: spanFrom(start))
        }
        if case .identifier(let name) = current.kind {
            advance()
            return TypeSyntax(.named(name), span: spanFrom(start))
        }
        error("expected a type such as 'Real', 'Int', 'Bool', '[Real]' or 'Matrix', found \(current.kind)", at: current)
        return TypeSyntax(.named("<error>"), span: span(of: current))
    }

    /// const_decl = "let" IDENT [ ":" type ] "=" expr ;
    private mutating func parseConstant() -> ConstantDecl {
        let start = advance()
        let id = makeID()
        let (name, type, value) = parseBindingTail()
        return ConstantDecl(id: id, name: name, type: type, value: value, span: spanFrom(start))
    }

    /// The `IDENT [ ":" type ] "=" expr` shared by these rules:
    /// let_stmt = "let" IDENT [ ":" type ] "=" expr ;
    /// var_stmt = "var" IDENT [ ":" type ] "=" expr ;
    private mutating func parseBindingTail() -> (Identifier, TypeSyntax?, Expr) {
        let name = expectIdentifier("a name")
        var type: TypeSyntax?
        if match(.colon) { type = parseType() }
        guard expect(.assign, "'=' and a value for '\(name.name)'") else {
            return (name, type, invalidExpr(at: current))
        }
        return (name, type, parseExpression())
    }

    /// query = ( "infer" | "counterfactual" ) IDENT "(" [ arguments ] ")" { query_clause } ;
    /// query_clause = "do" "(" bindings ")" | "given" "(" bindings ")" | "report" "(" [ arguments ] ")"
    ///              | "with" engine ;
    private mutating func parseQuery() -> QueryDecl {
        let start = current
        let kind: QueryDecl.Kind = check(.keyword(.counterfactual)) ? .counterfactual : .infer
        advance()
        let id = makeID()
        let model = expectIdentifier("a model name")
        var arguments: [Expr] = []
        if expect(.leftParen, "'(' and the model's arguments",
                  notes: [.init("write 'infer \(model.name)()' for a model without parameters")]) {
            arguments = parseArguments(closing: .rightParen)
        }
        var interventions: [AddressBinding] = []
        var conditions: [AddressBinding] = []
        var reports: [Expr] = []
        var engine: EngineSpec?
        var seen: Set<String> = []
        while case .identifier(let word) = current.kind, !current.startsLine || ["do", "given", "report", "with"].contains(word) {
            guard ["do", "given", "report", "with"].contains(word) else {
                error("expected 'do', 'given', 'report' or 'with' in the query, found \(current.kind)", at: current)
                break
            }
            let clause = advance()
            if !seen.insert(word).inserted {
                error("duplicate '\(word)' clause in the query", at: clause,
                      notes: [.init("put every binding in one '\(word)(...)'")])
            }
            switch word {
            case "do":
                interventions.append(contentsOf: parseBindings())
            case "given":
                conditions.append(contentsOf: parseBindings())
            case "report":
                if expect(.leftParen, "'(' after 'report'") { reports.append(contentsOf: parseArguments(closing: .rightParen)) }
            default:
                engine = parseEngine()
            }
            if panicking { break }
        }
        return QueryDecl(id: id, kind: kind, model: model, arguments: arguments, interventions: interventions,
                         conditions: conditions, reports: reports, engine: engine, span: spanFrom(start))
    }

    /// bindings = "(" [ binding { "," binding } [ "," ] ] ")" ;
    private mutating func parseBindings() -> [AddressBinding] {
        guard expect(.leftParen, "'(' and 'address = value' bindings") else { return [] }
        var bindings: [AddressBinding] = []
        while !check(.rightParen), !atEnd, !panicking {
            bindings.append(parseBinding())
            if !match(.comma) { break }
        }
        expect(.rightParen, "')' to end the bindings")
        return bindings
    }

    /// binding = postfix "=" expr ;
    private mutating func parseBinding() -> AddressBinding {
        let start = current
        let target = parsePostfix()
        guard expect(.assign, "'=' in the binding", notes: [.init("bindings look like 'p = 0.5' or 'z[3] = 1'")]) else {
            return AddressBinding(target: target, value: invalidExpr(at: current), span: spanFrom(start))
        }
        let value = parseExpression()
        return AddressBinding(target: target, value: value, span: spanFrom(start))
    }

    /// engine = IDENT [ "(" [ option { "," option } [ "," ] ] ")" ] ;
    /// option = IDENT ":" expr ;
    private mutating func parseEngine() -> EngineSpec {
        let start = current
        let name = expectIdentifier("an engine name such as 'smc', 'mh', 'gibbs', 'lw' or 'enumerate'")
        var options: [EngineOption] = []
        if match(.leftParen) {
            while !check(.rightParen), !atEnd, !panicking {
                let optionStart = current
                let optionName = expectIdentifier("an option name")
                guard expect(.colon, "':' after option '\(optionName.name)'",
                             notes: [.init("options look like 'particles: 1000'")]) else { break }
                let value = parseExpression()
                options.append(EngineOption(name: optionName, value: value, span: spanFrom(optionStart)))
                if !match(.comma) { break }
            }
            expect(.rightParen, "')' to end the engine options")
        }
        return EngineSpec(name: name, options: options, span: spanFrom(start))
    }

    // MARK: - Statements

    /// block = "{" { statement [ ";" ] } "}" ;
    private mutating func parseBlock() -> Block {
        let start = current
        var notes: [Diagnostic.Note] = []
        if check(.assign) { notes.append(.init("use '==' to compare")) }
        guard expect(.leftBrace, "'{' to start a block", notes: notes) else { return Block(statements: [], span: span(of: start)) }
        guard enterNesting() else {
            skipToMatchingBrace()
            return Block(statements: [], span: spanFrom(start))
        }
        defer { depth -= 1 }
        var statements: [Statement] = []
        var previousStart: Int?
        while !check(.rightBrace), !atEnd {
            if startsDeclaration(current), current.startsLine {
                break  // a missing '}': let the declaration parse on its own
            }
            let before = position
            if let statement = parseStatement() { statements.append(statement) }
            _ = match(.semicolon)
            if panicking || position == before {
                // An error at a statement's first token often means the previous statement
                // ended too early or ran on (`let d = 3 +` then `e ~ ...`): both are suspect.
                let from = errorPosition == before ? (previousStart ?? before) : before
                synchronizeStatement(from: before)
                markDamaged(from: from)
            }
            previousStart = before
        }
        expect(.rightBrace, "'}' to close the block", notes: [.init("the block starts here", at: span(of: start))])
        return Block(statements: statements, span: spanFrom(start))
    }

    /// statement = let_stmt | var_stmt | for_stmt | while_stmt | if_stmt | return_stmt
    ///           | observe_stmt | factor_stmt | simple_stmt ;
    private mutating func parseStatement() -> Statement? {
        let start = current
        switch current.kind {
        case .keyword(.let):
            advance()
            let id = makeID()
            let (name, type, value) = parseBindingTail()
            return Statement(id: id, kind: .letBinding(name: name, type: type, value: value), span: spanFrom(start))
        case .keyword(.var):
            advance()
            let id = makeID()
            let (name, type, value) = parseBindingTail()
            return Statement(id: id, kind: .varBinding(name: name, type: type, value: value), span: spanFrom(start))
        case .keyword(.for): return parseFor()
        case .keyword(.while): return parseWhile()
        case .keyword(.if): return parseIf()
        case .keyword(.return): return parseReturn()
        case .keyword(.observe): return parseObserve()
        case .keyword(.factor): return parseFactor()
        default: return parseSimpleStatement()
        }
    }

    /// for_stmt = "for" IDENT "in" ( expr "..<" expr | expr ) block ;
    private mutating func parseFor() -> Statement {
        let start = advance()
        let id = makeID()
        let variable = expectIdentifier("a loop variable")
        expect(.keyword(.in), "'in' after the loop variable")
        let first = parseExpression()
        let sequence: ForSequence
        if match(.halfOpenRange) {
            sequence = .range(lower: first, upper: parseExpression())
        } else {
            sequence = .array(first)
        }
        let body = parseBlock()
        return Statement(id: id, kind: .forLoop(variable: variable, sequence: sequence, body: body), span: spanFrom(start))
    }

    /// while_stmt = "while" expr "max" expr block ;
    private mutating func parseWhile() -> Statement {
        let start = advance()
        let id = makeID()
        let condition = parseExpression()
        var bound: Expr?
        if case .identifier("max") = current.kind {
            advance()
            bound = parseExpression()
        }
        // A missing bound is the checker's error, so it is reported with the other model checks.
        let body = parseBlock()
        return Statement(id: id, kind: .whileLoop(condition: condition, maxSteps: bound, body: body), span: spanFrom(start))
    }

    /// if_stmt = "if" expr block [ "else" ( if_stmt | block ) ] ;
    private mutating func parseIf() -> Statement {
        let start = current
        let id = makeID()
        var clauses: [IfClause] = []
        var elseBlock: Block?
        // else-if chains are gathered in a loop so a long chain does not nest.
        repeat {
            advance()  // 'if'
            let condition = parseExpression()
            let body = parseBlock()
            clauses.append(IfClause(condition: condition, body: body))
            guard match(.keyword(.else)) else { break }
            if check(.keyword(.if)) { continue }
            elseBlock = parseBlock()
            break
        } while !panicking
        return Statement(id: id, kind: .ifElse(clauses: clauses, elseBlock: elseBlock), span: spanFrom(start))
    }

    /// return_stmt = "return" [ expr ] ;
    private mutating func parseReturn() -> Statement {
        let start = advance()
        let id = makeID()
        var value: Expr?
        if !check(.rightBrace), !check(.semicolon), !atEnd, !current.startsLine { value = parseExpression() }
        return Statement(id: id, kind: .returnValue(value), span: spanFrom(start))
    }

    /// observe_stmt = "observe" "(" distribution "," expr ")" ;
    private mutating func parseObserve() -> Statement {
        let start = advance()
        let id = makeID()
        expect(.leftParen, "'(' after 'observe'", notes: [.init("write 'observe(Normal(mu, sigma), y)'")])
        let distribution = parseDistribution()
        expect(.comma, "',' and the observed value", notes: [.init("write 'observe(Normal(mu, sigma), y)'")])
        let value = parseExpression()
        expect(.rightParen, "')' to close 'observe'")
        return Statement(id: id, kind: .observe(distribution: distribution, value: value), span: spanFrom(start))
    }

    /// factor_stmt = "factor" "(" expr ")" ;
    private mutating func parseFactor() -> Statement {
        let start = advance()
        let id = makeID()
        expect(.leftParen, "'(' after 'factor'")
        let value = parseExpression()
        expect(.rightParen, "')' to close 'factor'")
        return Statement(id: id, kind: .factor(value), span: spanFrom(start))
    }

    /// simple_stmt = expr "~" distribution | expr "=" expr | call ;
    private mutating func parseSimpleStatement() -> Statement? {
        let start = current
        let id = makeID()
        let lhs = parseExpression()
        if panicking { return nil }
        if match(.tilde) {
            let distribution = parseDistribution()
            return Statement(id: id, kind: .tilde(lhs: lhs, distribution: distribution), span: spanFrom(start))
        }
        if match(.assign) {
            let value = parseExpression()
            return Statement(id: id, kind: .assign(target: lhs, value: value), span: spanFrom(start))
        }
        if case .call = lhs.kind {
            return Statement(id: id, kind: .expression(lhs), span: spanFrom(start))
        }
        var notes: [Diagnostic.Note] = []
        if case .symbol(.colon) = current.kind { notes.append(.init("declare a value with 'let name = value'")) }
        error("expected '~', '=' or a call, found \(current.kind)", at: current, notes: notes)
        return nil
    }

    /// distribution = IDENT "(" [ arguments ] ")" ;
    private mutating func parseDistribution() -> DistributionExpr {
        let start = current
        let id = makeID()
        let name = expectIdentifier("a distribution such as 'Normal(0, 1)'")
        var arguments: [Expr] = []
        if expect(.leftParen, "'(' and the arguments of distribution '\(name.name)'") {
            arguments = parseArguments(closing: .rightParen)
        }
        return DistributionExpr(id: id, name: name, arguments: arguments, span: spanFrom(start))
    }

    // MARK: - Expressions

    /// expr = conditional ;
    /// conditional = binary [ "?" expr ":" expr ] ;
    public mutating func parseExpression() -> Expr {
        let start = current
        guard enterNesting() else { return invalidExpr(at: current) }
        defer { depth -= 1 }
        let condition = parseBinary(minimumPrecedence: 1)
        guard !panicking, match(.question) else { return condition }
        let then = parseExpression()
        expect(.colon, "':' in the conditional expression")
        let otherwise = parseExpression()
        return Expr(id: makeID(), kind: .conditional(condition: condition, then: then, otherwise: otherwise),
                    span: spanFrom(start))
    }

    /// binary = unary { binary_op unary } ;
    /// binary_op = "||" | "&&" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/" | "%" ;
    /// Precedence (low to high): "||", "&&", "==" "!=",
    /// "<" "<=" ">" ">=", "+" "-", "*" "/" "%"; all left-associative.
    private mutating func parseBinary(minimumPrecedence: Int) -> Expr {
        let start = current
        var lhs = parseUnary()
        var chain = 0
        while !panicking, let (op, precedence) = binaryOperator(current.kind), precedence >= minimumPrecedence {
            advance()
            chain += 1
            // A long chain builds a deep left-nested tree; later phases recurse over it.
            guard enterNesting(extra: chain) else { return invalidExpr(at: current) }
            depth -= 1
            let rhs = parseBinary(minimumPrecedence: precedence + 1)
            lhs = Expr(id: makeID(), kind: .binary(op, lhs, rhs), span: spanFrom(start))
        }
        return lhs
    }

    /// unary = ( "-" | "!" ) unary | postfix ;
    private mutating func parseUnary() -> Expr {
        let start = current
        let op: UnaryOperator
        switch current.kind {
        case .symbol(.minus): op = .negate
        case .symbol(.not): op = .not
        default: return parsePostfix()
        }
        advance()
        guard enterNesting() else { return invalidExpr(at: current) }
        defer { depth -= 1 }
        let operand = parseUnary()
        return Expr(id: makeID(), kind: .unary(op, operand), span: spanFrom(start))
    }

    /// postfix = primary { "[" expr "]" | "." IDENT } ;
    private mutating func parsePostfix() -> Expr {
        let start = current
        var base = parsePrimary()
        var chain = 0
        while !panicking {
            if check(.leftBracket), !current.startsLine {
                advance()
                chain += 1
                guard enterNesting(extra: chain) else { return invalidExpr(at: current) }
                depth -= 1
                let index = parseExpression()
                expect(.rightBracket, "']' to close the index")
                base = Expr(id: makeID(), kind: .index(base: base, index: index), span: spanFrom(start))
            } else if check(.dot), case .symbol(.dot) = peek(1).kind {
                // `0..n` or `0...n`: a range written as in other languages.
                error("expected '..<' in a range, found '..'", at: current,
                      notes: [.init("ranges are half-open and written 'a..<b'; for 0 to n inclusive write '0..<n + 1'")])
                return base
            } else if match(.dot) {
                chain += 1
                guard enterNesting(extra: chain) else { return invalidExpr(at: current) }
                depth -= 1
                let name = expectIdentifier("a field name after '.'")
                base = Expr(id: makeID(), kind: .field(base: base, name: name), span: spanFrom(start))
            } else {
                return base
            }
        }
        return base
    }

    /// primary = INT | REAL | "true" | "false" | IDENT [ "(" [ arguments ] ")" ]
    ///         | "(" expr ")" | "[" [ arguments ] "]" ;
    /// call = IDENT "(" [ arguments ] ")" ;
    private mutating func parsePrimary() -> Expr {
        let token = current
        switch token.kind {
        case .int(let value):
            advance()
            return Expr(id: makeID(), kind: .int(value), span: span(of: token))
        case .real(let value):
            advance()
            return Expr(id: makeID(), kind: .real(value), span: span(of: token))
        case .keyword(.true), .keyword(.false):
            advance()
            return Expr(id: makeID(), kind: .bool(token.kind == .keyword(.true)), span: span(of: token))
        case .identifier(let name):
            advance()
            let identifier = Identifier(name, span: span(of: token))
            if check(.leftParen) {
                advance()
                let arguments = parseArguments(closing: .rightParen)
                return Expr(id: makeID(), kind: .call(callee: identifier, arguments: arguments), span: spanFrom(token))
            }
            return Expr(id: makeID(), kind: .name(name), span: span(of: token))
        case .symbol(.leftParen):
            advance()
            let inner = parseExpression()
            expect(.rightParen, "')' to close the parenthesis", notes: [.init("the parenthesis opens here", at: span(of: token))])
            // The span grows to include the parentheses so carets cover what was written.
            return Expr(id: inner.id, kind: inner.kind, span: spanFrom(token))
        case .symbol(.leftBracket):
            advance()
            let elements = parseArguments(closing: .rightBracket)
            return Expr(id: makeID(), kind: .array(elements), span: spanFrom(token))
        default:
            var notes: [Diagnostic.Note] = []
            if case .symbol(.halfOpenRange) = token.kind { notes.append(.init("ranges 'a..<b' are allowed only in 'for' loops")) }
            error("expected an expression, found \(token.kind)", at: errorToken(), notes: notes)
            return invalidExpr(at: token)
        }
    }

    /// arguments = [ expr { "," expr } [ "," ] ] closing ;
    private mutating func parseArguments(closing: Symbol) -> [Expr] {
        var arguments: [Expr] = []
        while !check(closing), !atEnd, !panicking {
            arguments.append(parseExpression())
            if !match(.comma) { break }
        }
        expect(closing, "'\(closing.rawValue)' to close the list")
        return arguments
    }

    // MARK: - Tokens

    private var current: Token { tokens[position] }
    private var atEnd: Bool { tokens[position].kind == .end }
    private func peek(_ offset: Int) -> Token { tokens[min(position + offset, tokens.count - 1)] }

    @discardableResult
    private mutating func advance() -> Token {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private func check(_ symbol: Symbol) -> Bool { current.kind == .symbol(symbol) }
    private func check(_ kind: TokenKind) -> Bool { current.kind == kind }

    private mutating func match(_ symbol: Symbol) -> Bool {
        guard check(symbol) else { return false }
        advance()
        return true
    }

    private mutating func match(_ kind: TokenKind) -> Bool {
        guard check(kind) else { return false }
        advance()
        return true
    }

    @discardableResult
    private mutating func expect(_ symbol: Symbol, _ what: String, notes: [Diagnostic.Note] = []) -> Bool {
        expect(.symbol(symbol), what, notes: notes)
    }

    @discardableResult
    private mutating func expect(_ kind: TokenKind, _ what: String, notes: [Diagnostic.Note] = []) -> Bool {
        if match(kind) { return true }
        error("expected \(what), found \(current.kind)", at: errorToken(), notes: notes)
        return false
    }

    private mutating func expectIdentifier(_ what: String) -> Identifier {
        if case .identifier(let name) = current.kind {
            let token = advance()
            return Identifier(name, span: span(of: token))
        }
        var notes: [Diagnostic.Note] = []
        if case .keyword(let keyword) = current.kind {
            notes.append(.init("'\(keyword.rawValue)' is a reserved word"))
        }
        error("expected \(what), found \(current.kind)", at: errorToken(), notes: notes)
        return Identifier("<error>", span: span(of: current))
    }

    /// Where to point when something is missing: at the token that is there, or just after the
    /// previous token when the next one is on a later line (a forgotten ')' at the end of a line).
    private func errorToken() -> Token {
        if current.startsLine, position > 0 {
            let previous = tokens[position - 1]
            return Token(current.kind, start: previous.end, end: previous.end, startsLine: false)
        }
        return current
    }

    private func startsDeclaration(_ token: Token) -> Bool {
        switch token.kind {
        case .keyword(.model), .keyword(.fn), .keyword(.infer), .keyword(.counterfactual): true
        default: false
        }
    }

    private func startsStatement(_ token: Token) -> Bool {
        switch token.kind {
        case .keyword(.let), .keyword(.var), .keyword(.for), .keyword(.while), .keyword(.if),
             .keyword(.return), .keyword(.observe), .keyword(.factor), .identifier: true
        default: false
        }
    }

    // MARK: - Recovery

    /// Skips to the next line that starts a statement, or to a '}' closing the current block.
    private mutating func synchronizeStatement(from before: Int) {
        panicking = false
        if position == before { advance() }
        var braces = 0
        while !atEnd {
            if braces == 0 {
                if check(.rightBrace) { return }
                if current.startsLine, startsStatement(current) || startsDeclaration(current) { return }
            }
            if check(.leftBrace) { braces += 1 }
            if check(.rightBrace) { braces -= 1 }
            advance()
        }
    }

    /// Skips to the next declaration keyword.
    private mutating func synchronizeDeclaration(from before: Int) {
        panicking = false
        if position == before { advance() }
        while !atEnd {
            if startsDeclaration(current) || (current.startsLine && check(.keyword(.let))) { return }
            advance()
        }
    }

    /// Records the tokens from `before` to here as damaged by a syntax error.
    private mutating func markDamaged(from before: Int) {
        let start = tokens[before].start
        let end = position > before ? tokens[position - 1].end : tokens[before].end
        damaged.append(start..<max(end, start + 1))
    }

    /// After a too-deep block, skips its contents without recursing.
    private mutating func skipToMatchingBrace() {
        var braces = 1
        while !atEnd {
            if check(.leftBrace) { braces += 1 }
            if check(.rightBrace) {
                braces -= 1
                if braces == 0 { advance(); return }
            }
            advance()
        }
    }

    private mutating func enterNesting(extra: Int = 0) -> Bool {
        depth += 1
        if depth + extra <= Parser.maximumDepth { return true }
        depth -= 1
        if !reportedDepth {
            reportedDepth = true
            error("program is nested too deeply (more than \(Parser.maximumDepth) levels)", at: current,
                  notes: [.init("split the expression with 'let' bindings or move code into a function")])
        }
        panicking = true
        return false
    }

    // MARK: - Helpers

    private mutating func error(_ message: String, at token: Token, notes: [Diagnostic.Note] = []) {
        guard !panicking else { return }
        panicking = true
        errorPosition = position
        // The lexer has already reported a bad token; one message per mistake.
        if token.kind == .invalid { return }
        diagnostics.append(.error(message, at: span(of: token), notes: notes))
    }

    private mutating func makeID() -> NodeID {
        defer { nextID += 1 }
        return NodeID(nextID)
    }

    private func span(of token: Token) -> SourceSpan { SourceSpan(file: file, start: token.start, end: token.end) }

    /// From the start of `token` to the end of the last consumed token.
    private func spanFrom(_ token: Token) -> SourceSpan {
        let end = position > 0 ? max(tokens[position - 1].end, token.start) : token.end
        return SourceSpan(file: file, start: token.start, end: end)
    }

    private mutating func invalidExpr(at token: Token) -> Expr {
        Expr(id: makeID(), kind: .invalid, span: span(of: token))
    }

    private func binaryOperator(_ kind: TokenKind) -> (BinaryOperator, Int)? {
        guard case .symbol(let symbol) = kind else { return nil }
        switch symbol {
        case .or: return (.or, 1)
        case .and: return (.and, 2)
        case .equal: return (.equal, 3)
        case .notEqual: return (.notEqual, 3)
        case .less: return (.less, 4)
        case .lessEqual: return (.lessEqual, 4)
        case .greater: return (.greater, 4)
        case .greaterEqual: return (.greaterEqual, 4)
        case .plus: return (.add, 5)
        case .minus: return (.subtract, 5)
        case .star: return (.multiply, 6)
        case .slash: return (.divide, 6)
        case .percent: return (.remainder, 6)
        default: return nil
        }
    }
}
