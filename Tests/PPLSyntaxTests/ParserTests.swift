import PPLDiagnostics
import PPLSyntax
import Testing

@Suite struct ParserTests {
    @Test func everyProgramParsesWithoutDiagnostics() throws {
        let programs = try Repository.programs()
        #expect(programs.count >= 9)
        for (name, text) in programs {
            let (program, diagnostics) = Parser.parse(text, name: name)
            #expect(diagnostics.isEmpty, "\(name): \(diagnostics)")
            #expect(!program.declarations.isEmpty, "\(name)")
        }
    }

    @Test func coinHasTheShapeOfDesignsExample() throws {
        let source = """
        model Coin(flips: [Int]) {
          p ~ Beta(1, 1)
          for i in 0..<len(flips) {
            flips[i] ~ Bernoulli(p)
          }
          return p
        }
        let flips = [1, 0, 1]
        infer Coin(flips) with smc(particles: 2000)
        """
        let (program, diagnostics) = Parser.parse(source)
        #expect(diagnostics.isEmpty)
        #expect(program.declarations.count == 3)
        guard case .model(let model) = program.declarations[0] else { Issue.record("not a model"); return }
        #expect(model.name.name == "Coin")
        #expect(model.parameters.map(\.name.name) == ["flips"])
        guard case .array(let element) = model.parameters[0].type.kind, case .named("Int") = element.kind else {
            Issue.record("parameter type"); return
        }
        #expect(model.body.statements.count == 3)
        guard case .tilde(let lhs, let distribution) = model.body.statements[0].kind, case .name("p") = lhs.kind else {
            Issue.record("first statement"); return
        }
        #expect(distribution.name.name == "Beta")
        #expect(distribution.arguments.count == 2)
        #expect(model.body.statements[0].span.location.description == "<input>:2:3")
        guard case .forLoop(let variable, .range, let body) = model.body.statements[1].kind else {
            Issue.record("for"); return
        }
        #expect(variable.name == "i")
        guard case .tilde(let observed, _) = body.statements[0].kind, case .index = observed.kind else {
            Issue.record("observation"); return
        }
        guard case .query(let query) = program.declarations[2] else { Issue.record("query"); return }
        #expect(query.kind == .infer)
        #expect(query.engine?.name.name == "smc")
        #expect(query.engine?.options.map(\.name.name) == ["particles"])
    }

    @Test func precedenceAndAssociativity() {
        let (program, diagnostics) = Parser.parse("let x = 1 + 2 * 3 - 4 < 5 && !b || c == d ? -e : f[1][2]")
        #expect(diagnostics.isEmpty)
        guard case .constant(let c) = program.declarations.first else { Issue.record("constant"); return }
        #expect(render(c.value) == "(((((1 + (2 * 3)) - 4) < 5) && (!b)) || (c == d)) ? (-e) : f[1][2]")
    }

    @Test func nodeIDsAreUnique() throws {
        for (name, text) in try Repository.programs() {
            let (program, _) = Parser.parse(text, name: name)
            var seen = Set<NodeID>()
            var duplicates = 0
            walk(program) { id in if !seen.insert(id).inserted { duplicates += 1 } }
            #expect(duplicates == 0, "\(name)")
            #expect(seen.allSatisfy { $0.raw < program.nodeCount })
        }
    }

    @Test func severalErrorsInOneRun() {
        let source = """
        model M(x: Real) {
          a ~ Normal(0, 1
          b ~ Normal(0, 1)
          c = = 2
          d ~ Normal(0, 1)
        }
        fn f(x Real) -> Real { return x }
        infer M(1.0)
        """
        let (_, diagnostics) = Parser.parse(source, name: "m.ppl")
        #expect(diagnostics.map(\.description) == [
            "m.ppl:2:18: error: expected ')' to close the list, found identifier 'b'",
            "m.ppl:4:7: error: expected an expression, found '='",
            "m.ppl:7:8: error: expected ':' and a type after parameter 'x', found identifier 'Real'",
        ])
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let depth = 10_000
        let parens = "let x = " + String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)
        let blocks = "model M() {\n" + String(repeating: "if true {\n", count: depth) + String(repeating: "}\n", count: depth) + "}\n"
        let unary = "let y = " + String(repeating: "-", count: depth) + "1"
        let chain = "let z = 1" + String(repeating: " + 1", count: depth)
        let brackets = "let w = " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let types = "fn f(x: " + String(repeating: "[", count: depth) + "Real" + String(repeating: "]", count: depth) + ") { }"
        for source in [parens, blocks, unary, chain, brackets, types] {
            let (_, diagnostics) = Parser.parse(source)
            #expect(diagnostics.contains { $0.message.hasPrefix("program is nested too deeply") }, "\(source.prefix(20))")
        }
        // Just under the limit is fine.
        let fine = "let x = " + String(repeating: "(", count: 100) + "1" + String(repeating: ")", count: 100)
        #expect(Parser.parse(fine).diagnostics.isEmpty)
    }
}

/// Fully parenthesised rendering, to check the tree's shape.
func render(_ e: Expr) -> String {
    switch e.kind {
    case .int(let n): "\(n)"
    case .real(let x): "\(x)"
    case .bool(let b): "\(b)"
    case .name(let n): n
    case .array(let xs): "[" + xs.map(render).joined(separator: ", ") + "]"
    case .index(let b, let i): "\(render(b))[\(render(i))]"
    case .field(let b, let n): "\(render(b)).\(n.name)"
    case .call(let f, let args): "\(f.name)(" + args.map(render).joined(separator: ", ") + ")"
    case .unary(let op, let x): "(\(op.rawValue)\(render(x)))"
    case .binary(let op, let l, let r): "(\(render(l)) \(op.rawValue) \(render(r)))"
    case .conditional(let c, let t, let f): "\(render(c)) ? \(render(t)) : \(render(f))"
    case .invalid: "<invalid>"
    }
}

/// Calls `visit` with the NodeID of every expression, statement, declaration and distribution.
func walk(_ program: Program, _ visit: (NodeID) -> Void) {
    func expr(_ e: Expr) {
        visit(e.id)
        switch e.kind {
        case .array(let xs): xs.forEach(expr)
        case .index(let b, let i): expr(b); expr(i)
        case .field(let b, _): expr(b)
        case .call(_, let args): args.forEach(expr)
        case .unary(_, let x): expr(x)
        case .binary(_, let l, let r): expr(l); expr(r)
        case .conditional(let c, let t, let f): expr(c); expr(t); expr(f)
        default: break
        }
    }
    func distribution(_ d: DistributionExpr) { visit(d.id); d.arguments.forEach(expr) }
    func block(_ b: Block) { b.statements.forEach(statement) }
    func statement(_ s: Statement) {
        visit(s.id)
        switch s.kind {
        case .tilde(let l, let d): expr(l); distribution(d)
        case .observe(let d, let v): distribution(d); expr(v)
        case .factor(let e), .expression(let e): expr(e)
        case .letBinding(_, _, let v), .varBinding(_, _, let v): expr(v)
        case .assign(let t, let v): expr(t); expr(v)
        case .forLoop(_, let seq, let b):
            switch seq {
            case .range(let l, let u): expr(l); expr(u)
            case .array(let a): expr(a)
            }
            block(b)
        case .whileLoop(let c, let m, let b): expr(c); m.map(expr); block(b)
        case .ifElse(let clauses, let e):
            for c in clauses { expr(c.condition); block(c.body) }
            e.map(block)
        case .returnValue(let v): v.map(expr)
        }
    }
    for d in program.declarations {
        visit(d.id)
        switch d {
        case .model(let m): m.parameters.forEach { visit($0.id) }; block(m.body)
        case .function(let f): f.parameters.forEach { visit($0.id) }; block(f.body)
        case .constant(let c): expr(c.value)
        case .query(let q):
            q.arguments.forEach(expr)
            (q.interventions + q.conditions).forEach { expr($0.target); expr($0.value) }
            q.reports.forEach(expr)
            q.engine?.options.forEach { expr($0.value) }
        }
    }
}
