import PPLDiagnostics
import PPLSyntax
import Testing

/// Each lexer and parser error: its message, its place, and the note where there is one.
@Suite struct SyntaxDiagnosticTests {
    struct Case: Sendable, CustomStringConvertible {
        var source: String
        /// `line:col: error: message` of the first diagnostic.
        var expected: String
        var note: String? = nil
        var description: String { expected }
    }

    static let cases: [Case] = [
        // Lexer.
        Case(source: "let a = 1 /* open", expected: "1:11: error: unterminated block comment", note: "add '*/' to close the comment"),
        Case(source: "let a = 2x", expected: "1:9: error: invalid number '2x'"),
        Case(source: "let a = 99999999999999999999", expected: "1:9: error: integer literal '99999999999999999999' is too large",
             note: "write it as a real, e.g. '99999999999999999999.0'"),
        Case(source: "let a = 1e400", expected: "1:9: error: real literal '1e400' is out of range",
             note: "the largest real is about 1.8e308"),
        Case(source: "let a = 1 @ 2", expected: "1:11: error: unexpected character '@'"),
        Case(source: "let a = b & c", expected: "1:11: error: unexpected character '&'", note: "use '&&' for logical and"),
        Case(source: "let a = b | c", expected: "1:11: error: unexpected character '|'", note: "use '||' for logical or"),
        Case(source: "let a = 2 ^ 3", expected: "1:11: error: unexpected character '^'", note: "use 'pow(x, y)' for powers"),
        // Declarations.
        Case(source: "var a = 1", expected: "1:1: error: top-level values are immutable; use 'let'"),
        Case(source: "p ~ Beta(1, 1)", expected: "1:1: error: expected 'model', 'fn', 'let', 'infer' or 'counterfactual', found identifier 'p'",
             note: "random choices belong inside a 'model' body"),
        Case(source: "model for() { }", expected: "1:7: error: expected a model name, found 'for'", note: "'for' is a reserved word"),
        Case(source: "fn (x: Real) { }", expected: "1:4: error: expected a function name, found '('"),
        Case(source: "model M { }", expected: "1:9: error: expected '(' to start the parameter list, found '{'"),
        Case(source: "model M(x Real) { }", expected: "1:11: error: expected ':' and a type after parameter 'x', found identifier 'Real'",
             note: "parameters declare their types, e.g. 'x: Real'"),
        Case(source: "model M(x: 3) { }", expected: "1:12: error: expected a type such as 'Real', 'Int', 'Bool', '[Real]' or 'Matrix', found integer '3'"),
        Case(source: "model M(x: [Real) { }", expected: "1:17: error: expected ']' to close the array type, found ')'"),
        Case(source: "model M(x: Real, y) { }", expected: "1:19: error: expected ':' and a type after parameter 'y', found ')'"),
        Case(source: "let a 1", expected: "1:7: error: expected '=' and a value for 'a', found integer '1'"),
        Case(source: "infer M with smc", expected: "1:9: error: expected '(' and the model's arguments, found identifier 'with'",
             note: "write 'infer M()' for a model without parameters"),
        Case(source: "infer M() wiht smc", expected: "1:11: error: expected 'do', 'given', 'report' or 'with' in the query, found identifier 'wiht'"),
        Case(source: "infer M() do(p = 1) do(q = 2)", expected: "1:21: error: duplicate 'do' clause in the query",
             note: "put every binding in one 'do(...)'"),
        Case(source: "infer M() do(p 1)", expected: "1:16: error: expected '=' in the binding, found integer '1'",
             note: "bindings look like 'p = 0.5' or 'z[3] = 1'"),
        Case(source: "infer M() given p = 1", expected: "1:17: error: expected '(' and 'address = value' bindings, found identifier 'p'"),
        Case(source: "infer M() report p", expected: "1:18: error: expected '(' after 'report', found identifier 'p'"),
        Case(source: "infer M() with 3", expected: "1:16: error: expected an engine name such as 'smc', 'mh', 'gibbs', 'lw' or 'enumerate', found integer '3'"),
        Case(source: "infer M() with smc(particles = 3)", expected: "1:30: error: expected ':' after option 'particles', found '='",
             note: "options look like 'particles: 1000'"),
        Case(source: "infer M() with smc(3)", expected: "1:20: error: expected an option name, found integer '3'"),
        Case(source: "infer M() with smc(particles: 3", expected: "1:32: error: expected ')' to end the engine options, found end of file"),
        // Statements.
        Case(source: "model M() p ~ Beta(1, 1)", expected: "1:11: error: expected '{' to start a block, found identifier 'p'"),
        Case(source: "model M() {\n  p ~ Beta(1, 1)\n", expected: "2:17: error: expected '}' to close the block, found end of file",
             note: "the block starts here"),
        Case(source: "model M() {\n  for i 0..<3 { }\n}", expected: "2:9: error: expected 'in' after the loop variable, found integer '0'"),
        Case(source: "model M() {\n  for in xs { }\n}", expected: "2:7: error: expected a loop variable, found 'in'", note: "'in' is a reserved word"),
        Case(source: "model M() {\n  observe Normal(0, 1), 2)\n}", expected: "2:11: error: expected '(' after 'observe', found identifier 'Normal'",
             note: "write 'observe(Normal(mu, sigma), y)'"),
        Case(source: "model M() {\n  observe(Normal(0, 1))\n}", expected: "2:23: error: expected ',' and the observed value, found ')'",
             note: "write 'observe(Normal(mu, sigma), y)'"),
        Case(source: "model M() {\n  observe(Normal(0, 1), 2\n}", expected: "2:26: error: expected ')' to close 'observe', found '}'"),
        Case(source: "model M() {\n  factor -1.0\n}", expected: "2:10: error: expected '(' after 'factor', found '-'"),
        Case(source: "model M() {\n  factor(-1.0\n}", expected: "2:14: error: expected ')' to close 'factor', found '}'"),
        Case(source: "model M() {\n  x: Real\n}", expected: "2:4: error: expected '~', '=' or a call, found ':'", note: "declare a value with 'let name = value'"),
        Case(source: "model M() {\n  x ~ 3\n}", expected: "2:7: error: expected a distribution such as 'Normal(0, 1)', found integer '3'"),
        Case(source: "model M() {\n  x ~ Normal\n}", expected: "2:13: error: expected '(' and the arguments of distribution 'Normal', found '}'"),
        Case(source: "model M() {\n  z ~ Bernoulli(0.5)\n  if z = 1 { }\n}", expected: "3:8: error: expected '{' to start a block, found '='",
             note: "use '==' to compare"),
        Case(source: "model M() {\n  for i in 0..3 { }\n}", expected: "2:13: error: expected '..<' in a range, found '..'",
             note: "ranges are half-open and written 'a..<b'; for 0 to n inclusive write '0..<n + 1'"),
        Case(source: "model M() {\n  for i in 0...3 { }\n}", expected: "2:13: error: expected '..<' in a range, found '..'"),
        // Expressions.
        Case(source: "let a = 1 +\nlet b = 2", expected: "1:12: error: expected an expression, found 'let'"),
        Case(source: "let a = 0..<3", expected: "1:10: error: unexpected '..<' after the declaration",
             note: "ranges 'a..<b' are allowed only in 'for' loops"),
        Case(source: "let a = (..<3)", expected: "1:10: error: expected an expression, found '..<'",
             note: "ranges 'a..<b' are allowed only in 'for' loops"),
        Case(source: "let a = b ? 1 2", expected: "1:15: error: expected ':' in the conditional expression, found integer '2'"),
        Case(source: "let a = b[1", expected: "1:12: error: expected ']' to close the index, found end of file"),
        Case(source: "let a = b.1", expected: "1:11: error: expected a field name after '.', found integer '1'"),
        Case(source: "let a = (1 + 2", expected: "1:15: error: expected ')' to close the parenthesis, found end of file",
             note: "the parenthesis opens here"),
        Case(source: "let a = f(1, 2", expected: "1:15: error: expected ')' to close the list, found end of file"),
        Case(source: "let a = [1, 2", expected: "1:14: error: expected ']' to close the list, found end of file"),
        Case(source: "let a = " + String(repeating: "(", count: 300) + "1" + String(repeating: ")", count: 300),
             expected: "1:265: error: program is nested too deeply (more than 256 levels)",
             note: "split the expression with 'let' bindings or move code into a function"),
    ]

    @Test(arguments: cases)
    func diagnostic(_ c: Case) {
        let (_, diagnostics) = Parser.parse(c.source, name: "t.ppl")
        guard let first = diagnostics.first else {
            Issue.record("no diagnostic for \(c.source)")
            return
        }
        let rendered = "\(first)".replacingOccurrences(of: "t.ppl:", with: "")
        #expect(rendered.hasPrefix(c.expected), "\(rendered)")
        if let note = c.note {
            #expect(first.notes.contains { $0.message == note }, "\(first.notes)")
        }
    }

    /// Independent errors in separate statements and declarations are all reported, once each.
    @Test func recoveryReportsEachIndependentError() {
        let source = """
        model M() {
          a ~ Normal(0, 1
          b ~ Normal(0, 1)
          c ~ Normal(, 1)
          d ~ Normal(0, 1)
        }
        fn f(x: ) -> Real { return 1 }
        let k = ]
        infer M() with smc(particles: 10)
        """
        let (program, diagnostics) = Parser.parse(source, name: "r.ppl")
        #expect(diagnostics.map { "\($0.span?.location.line ?? 0)" } == ["2", "4", "7", "8"])
        // The declarations around the errors survive.
        #expect(program.declarations.count == 4)
        guard case .model(let model) = program.declarations[0] else { Issue.record("model"); return }
        #expect(model.body.statements.count >= 2)
    }

    @Test func renderedDiagnosticShowsLineAndCaret() {
        let (_, diagnostics) = Parser.parse("model M() {\n  x ~ Normal(0, 1\n}\n", name: "m.ppl")
        let text = DiagnosticRenderer().render(diagnostics)
        #expect(text == """
        m.ppl:2:18: error: expected ')' to close the list, found '}'
          |
        2 |   x ~ Normal(0, 1
          |                  ^

        """)
    }
}
