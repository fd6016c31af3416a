import Foundation
import PPLDiagnostics
@testable import PPLSema
import PPLSyntax
import Testing

/// One test per diagnostic of the checker's catalogue: the message, its place, and its notes.
@Suite struct SemaDiagnosticTests {
    struct Case: Sendable, CustomStringConvertible {
        var code: String
        var source: String
        /// `line:col: severity: message` of the diagnostic the case is about.
        var expected: String
        /// A note that must be attached, if any.
        var note: String? = nil
        var description: String { code }
    }

    static let cases: [Case] = [
        Case(code: "undefinedName", source: "model M() {\n  sigma ~ HalfNormal(1)\n  x ~ Normal(0, sigm)\n}",
             expected: "3:17: error: use of undefined name 'sigm'", note: "did you mean 'sigma'?"),
        Case(code: "usedBeforeDefinition", source: "model M() {\n  let a = b + 1\n  let b = 2\n}",
             expected: "2:11: error: use of 'b' before its definition", note: "'b' is defined here"),
        Case(code: "redeclaration", source: "model M() {\n  let a = 1\n  let a = 2\n}",
             expected: "3:7: error: invalid redeclaration of 'a'", note: "'a' was first declared here"),
        Case(code: "unknownType", source: "model M(x: Rael) {\n}",
             expected: "1:12: error: unknown type 'Rael'", note: "did you mean 'Real'?"),
        Case(code: "unknownDistribution", source: "model M() {\n  x ~ Normall(0, 1)\n}",
             expected: "2:7: error: unknown distribution 'Normall'", note: "did you mean 'Normal'?"),
        Case(code: "notADistribution", source: "fn f(x: Real) -> Real { return x }\nmodel M() {\n  x ~ f(1)\n}",
             expected: "3:7: error: 'f' is a function, not a distribution"),
        Case(code: "distributionAsValue", source: "model M() {\n  let d = Normal\n}",
             expected: "2:11: error: distribution 'Normal' cannot be used as a value", note: "draw from it with 'x ~ Normal(...)'"),
        Case(code: "distributionArity", source: "model M() {\n  x ~ Normal(0)\n}",
             expected: "2:7: error: distribution 'Normal' takes 2 arguments (mu, sigma) but 1 was given"),
        Case(code: "distributionArgumentType", source: "model M() {\n  x ~ Normal(0, true)\n}",
             expected: "2:17: error: argument 'sigma' of 'Normal' must be 'Real', found 'Bool'"),
        Case(code: "vectorisedScalarTarget", source: "model M(y: Real) {\n  y ~ Normal([1.0, 2.0], 1)\n}",
             expected: "2:3: error: array arguments to 'Normal' draw an array, but the left side is a single value"),
        Case(code: "unknownFunction", source: "let a = expp(1)",
             expected: "1:9: error: use of undefined function 'expp'", note: "did you mean 'exp'?"),
        Case(code: "functionArity", source: "fn f(x: Real) -> Real { return x }\nlet a = f(1, 2)",
             expected: "2:9: error: function 'f' takes 1 argument but 2 were given"),
        Case(code: "functionArgumentType", source: "fn f(x: Real) -> Real { return x }\nlet a = f(true)",
             expected: "2:11: error: argument 'x' of 'f' must be 'Real', found 'Bool'"),
        Case(code: "builtinArity", source: "let a = exp(1, 2)",
             expected: "1:9: error: built-in 'exp' takes 1 argument but 2 were given"),
        Case(code: "builtinArgumentType", source: "let a = exp(true)",
             expected: "1:13: error: argument 1 of 'exp' must be a number or an array of numbers, found 'Bool'"),
        Case(code: "modelCalled", source: "model M() {\n}\nlet a = M()",
             expected: "3:9: error: model 'M' cannot be called", note: "write reusable code as a 'fn'"),
        Case(code: "notAValue", source: "fn f(x: Real) -> Real { return x }\nlet a = f + 1",
             expected: "2:9: error: 'f' is a function, not a value", note: "call it: 'f(...)'"),
        Case(code: "voidValue", source: "fn f(x: Real) { }\nlet a = f(1.0)",
             expected: "2:9: error: function 'f' does not return a value"),
        Case(code: "unusedResult", source: "model M() {\n  exp(1)\n}",
             expected: "2:3: warning: result of 'exp' is unused"),
        Case(code: "binaryOperands", source: "let a = 1 + true",
             expected: "1:9: error: operator '+' cannot be applied to 'Int' and 'Bool'"),
        Case(code: "unaryOperand", source: "let a = !1",
             expected: "1:9: error: operator '!' cannot be applied to 'Int'"),
        Case(code: "conditionType", source: "model M() {\n  if 1.5 { }\n}",
             expected: "2:6: error: condition must be 'Bool' or 'Int', found 'Real'"),
        Case(code: "indexNonArray", source: "let a = 1\nlet b = a[0]",
             expected: "2:9: error: cannot index a value of type 'Int'"),
        Case(code: "indexType", source: "let a = [1, 2]\nlet b = a[0.5]",
             expected: "2:11: error: index must be 'Int', found 'Real'"),
        Case(code: "arrayElementTypes", source: "let a = [1, true]",
             expected: "1:13: error: array elements have different types 'Int' and 'Bool'"),
        Case(code: "conditionalBranchTypes", source: "let a = true ? 1 : [1]",
             expected: "1:9: error: branches of '?:' have different types 'Int' and '[Int]'"),
        Case(code: "tildeTarget", source: "model M() {\n  (a + 1) ~ Normal(0, 1)\n}",
             expected: "2:3: error: left side of '~' must be a name or an indexed name"),
        Case(code: "latentInLoop", source: "model M() {\n  for i in 0..<3 {\n    z ~ Normal(0, 1)\n  }\n}",
             expected: "3:5: error: latent 'z' would be drawn again on every iteration of the loop",
             note: "give each iteration its own address: 'z[i] ~ ...'"),
        Case(code: "duplicateLatent", source: "model M() {\n  p ~ Beta(1, 1)\n  p ~ Beta(2, 2)\n}",
             expected: "3:3: error: duplicate latent address 'p'", note: "'p' is first drawn here"),
        Case(code: "observationType", source: "model M(y: Real) {\n  y ~ Bernoulli(0.5)\n}",
             expected: "2:3: error: cannot observe a value of type 'Real' with 'Bernoulli', which draws 'Int'",
             note: "'Bernoulli' draws integers; declare the data as '[Int]'"),
        Case(code: "latentElementType", source: "model M() {\n  x[0] ~ Bernoulli(0.5)\n  x[1] ~ Normal(0, 1)\n}",
             expected: "3:3: error: 'x' holds 'Int' values but 'Normal' draws 'Real'"),
        Case(code: "drawIntoNonValue", source: "fn f(x: Real) -> Real { return x }\nmodel M() {\n  f ~ Normal(0, 1)\n}",
             expected: "3:3: error: cannot draw into 'f': it is a function"),
        Case(code: "assignToImmutable", source: "model M() {\n  let a = 1\n  a = 2\n}",
             expected: "3:3: error: cannot assign to 'a': it is a 'let' constant", note: "declare it with 'var' to make it mutable"),
        Case(code: "assignTarget", source: "model M() {\n  var a = 1\n  a + 1 = 2\n}",
             expected: "3:3: error: left side of '=' must be a variable or an element of one"),
        Case(code: "bindingType", source: "let a: Int = 1.5",
             expected: "1:14: error: cannot bind a value of type 'Real' to 'a' of type 'Int'"),
        Case(code: "assignType", source: "model M() {\n  var a = 1\n  a = 2.5\n}",
             expected: "3:7: error: cannot assign a value of type 'Real' to 'a' of type 'Int'"),
        Case(code: "returnValueFromVoid", source: "fn f(x: Real) {\n  return x\n}",
             expected: "2:10: error: function 'f' does not declare a return type", note: "declare the return type: 'fn f(...) -> Real'"),
        Case(code: "returnWithoutValue", source: "fn f(x: Real) -> Real {\n  return\n}",
             expected: "2:3: error: function 'f' must return a value of type 'Real'"),
        Case(code: "returnType", source: "fn f(x: Real) -> Int {\n  return x\n}",
             expected: "2:10: error: cannot return a value of type 'Real' from 'f', which returns 'Int'"),
        Case(code: "missingReturn", source: "fn f(x: Real) -> Real {\n  if x > 0 { return x }\n}",
             expected: "1:4: error: function 'f' does not return a 'Real' on every path", note: "add 'return' at the end of the body"),
        Case(code: "modelReturnTypes", source: "model M() {\n  z ~ Bernoulli(0.5)\n  if z == 1 { return true }\n  return [1.0]\n}",
             expected: "4:10: error: model 'M' returns values of different types 'Bool' and '[Real]'"),
        Case(code: "unboundedWhile", source: "model M() {\n  while true { }\n}",
             expected: "2:9: error: 'while' loop needs a step bound",
             note: "write 'while true max 1000 { ... }': the loop stops with an error after that many steps"),
        Case(code: "whileBoundType", source: "model M() {\n  while true max 1.5 { }\n}",
             expected: "2:18: error: step bound must be 'Int', found 'Real'"),
        Case(code: "rangeBoundType", source: "model M() {\n  for i in 0..<2.5 { }\n}",
             expected: "2:16: error: range bound must be 'Int', found 'Real'"),
        Case(code: "loopOverNonArray", source: "model M() {\n  for i in 3 { }\n}",
             expected: "2:12: error: cannot loop over a value of type 'Int'", note: "loop over a range: 'for i in 0..<n'"),
        Case(code: "factorType", source: "model M() {\n  factor(true)\n}",
             expected: "2:10: error: 'factor' takes a 'Real' log weight, found 'Bool'"),
        Case(code: "fieldOutsideQuery", source: "let a = [1]\nlet b = a.x",
             expected: "2:9: error: '.' is only for addresses in queries"),
        Case(code: "unknownModel", source: "model Coin() {\n}\ninfer Con()",
             expected: "3:7: error: unknown model 'Con'", note: "did you mean 'Coin'?"),
        Case(code: "modelArity", source: "model M(a: Real, b: Real) {\n}\ninfer M(1.0)",
             expected: "3:7: error: model 'M' takes 2 arguments but 1 was given",
             note: "pass every argument, or none to bind them all from '--data'"),
        Case(code: "modelArgumentType", source: "model M(a: Real) {\n}\ninfer M(true)",
             expected: "3:9: error: argument 'a' of model 'M' must be 'Real', found 'Bool'"),
        Case(code: "notAnAddress", source: "model M() {\n  p ~ Beta(1, 1)\n}\ninfer M() do(p[0.5] = 1)",
             expected: "4:14: error: 'do' target must be an address such as 'p', 'z[3]' or 'step[2].x'"),
        Case(code: "unknownAddress", source: "model M() {\n  rate ~ Beta(1, 1)\n}\ninfer M() given(rte = 1)",
             expected: "4:17: error: 'given' names 'rte', which is not a random choice of model 'M'", note: "did you mean 'rate'?"),
        Case(code: "interveneOnData", source: "model M(y: Real) {\n  y ~ Normal(0, 1)\n}\ninfer M(1.0) do(y = 2)",
             expected: "4:17: error: cannot intervene on 'y': it is data, not a random choice"),
        Case(code: "unknownEngine", source: "model M() {\n}\ninfer M() with smcc",
             expected: "3:16: error: unknown engine 'smcc'", note: "did you mean 'smc'?"),
        Case(code: "duplicateEngineOption", source: "model M() {\n}\ninfer M() with smc(particles: 1, particles: 2)",
             expected: "3:34: error: duplicate engine option 'particles'"),
        Case(code: "duplicateAddress", source: "model M() {\n  p ~ Beta(1, 1)\n}\ninfer M() given(p = 0.5, p = 0.2)",
             expected: "4:26: error: address 'p' appears twice in 'given'"),
        Case(code: "stochasticCallOutsideModel", source: "fn noise() -> Real {\n  e ~ Normal(0, 1)\n  return e\n}\nlet a = noise()",
             expected: "5:9: error: function 'noise' makes random choices and can be called only from a model or function"),
        Case(code: "counterfactualWithoutDo", source: "model M() {\n  p ~ Bernoulli(0.5)\n}\ncounterfactual M() given(p = 1)",
             expected: "4:1: error: 'counterfactual' needs a 'do' clause",
             note: "without an intervention the question is an ordinary 'infer'"),
        Case(code: "engineOptionType", source: "model M() {\n}\ninfer M() with smc(particles: 2.5)",
             expected: "3:31: error: engine option 'particles' must be an 'Int', found 'Real'"),
        Case(code: "engineOptionRange", source: "model M() {\n}\ninfer M() with mh(chains: 0)",
             expected: "3:27: error: engine option 'chains' must be at least 1"),
        Case(code: "enumerateContinuous", source: "model M() {\n  z ~ Bernoulli(0.5)\n  p ~ Beta(1, 1)\n}\ninfer M() with enumerate",
             expected: "5:16: error: engine 'enumerate' needs finitely many worlds, but 'p' is drawn from the continuous 'Beta'",
             note: "'p' is drawn here"),
        Case(code: "addressValueType", source: "model M() {\n  p ~ Beta(1, 1)\n}\ninfer M() do(p = true)",
             expected: "4:18: error: 'do' gives 'p' a value of type 'Bool', but it holds 'Real'"),
    ]

    @Test(arguments: cases)
    func diagnostic(_ c: Case) {
        let file = SourceFile(name: "t.ppl", text: c.source)
        let (program, parseDiagnostics) = Parser.parse(file)
        #expect(parseDiagnostics.isEmpty, "\(parseDiagnostics)")
        var checker = Checker(program: program)
        checker.run()
        let rendered = checker.diagnostics.map { "\($0)".replacingOccurrences(of: "t.ppl:", with: "") }
        guard let i = rendered.firstIndex(of: c.expected) else {
            Issue.record("expected \(c.expected), got \(rendered)")
            return
        }
        #expect(checker.codes[i] == c.code)
        // One mistake, one diagnostic: no cascades.
        #expect(rendered.count == 1, "\(rendered)")
        if let note = c.note {
            #expect(checker.diagnostics[i].notes.contains { $0.message == note }, "\(checker.diagnostics[i].notes)")
        }
    }

    /// Cases that exercise a second way to reach a diagnostic already in the table.
    static let variants: [Case] = [
        Case(code: "unknownFunction", source: "model M(y: [Real]) {\n  for i in range(3) { }\n}",
             expected: "2:12: error: use of undefined function 'range'", note: "loop over a range with 'for i in 0..<n'"),
        Case(code: "unknownDistribution", source: "model M() {\n  x ~ normal(0, 1)\n}",
             expected: "2:7: error: unknown distribution 'normal'", note: "did you mean 'Normal'?"),
        Case(code: "duplicateLatent", source: "model M() {\n  w ~ Normal(zeros(3), 1)\n  w[0] ~ Normal(1, 1)\n}",
             expected: "3:3: error: duplicate latent address 'w[0]'", note: "every element of 'w' is drawn here"),
        Case(code: "duplicateLatent", source: "model M() {\n  x[0] ~ Normal(0, 1)\n  x[0] ~ Normal(1, 1)\n}",
             expected: "3:3: error: duplicate latent address 'x[0]'", note: "'x[0]' is first drawn here"),
        Case(code: "enumerateContinuous",
             source: "fn f() -> Real {\n  u ~ Uniform(0, 1)\n  return u\n}\nmodel M() {\n  let a = f()\n}\ninfer M() with enumerate",
             expected: "8:16: error: engine 'enumerate' needs finitely many worlds, but 'f[...].u' is drawn from the continuous 'Uniform'"),
        Case(code: "indexNonArray", source: "model M() {\n  p ~ Beta(1, 1)\n}\ninfer M() given(p[0] = 1)",
             expected: "4:17: error: cannot index a value of type 'Real'"),
        Case(code: "usedBeforeDefinition", source: "let a = b\nlet b = 1",
             expected: "1:9: error: use of 'b' before its definition"),
        Case(code: "usedBeforeDefinition", source: "model M() {\n  y ~ Normal(x, 1)\n  x ~ Normal(0, 1)\n}",
             expected: "2:14: error: use of 'x' before its definition", note: "'x' is defined here"),
    ]

    @Test(arguments: variants)
    func variant(_ c: Case) { diagnostic(c) }

    /// Every case of the catalogue (SemaDiagnostic.swift) has a test above.
    @Test func everyCatalogueCaseIsTested() throws {
        let source = try Repository.read("Sources/PPLSema/SemaDiagnostic.swift")
        let declared = Set(source.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("case "), !trimmed.hasPrefix("case ."), !trimmed.contains("\"") else { return nil }
            return trimmed.dropFirst(5).split(whereSeparator: { "(:, ".contains($0) }).first.map(String.init)
        })
        let tested = Set(Self.cases.map(\.code))
        #expect(declared.count >= 50)
        #expect(declared.subtracting(tested).isEmpty, "untested: \(declared.subtracting(tested).sorted())")
        #expect(tested.subtracting(declared).isEmpty, "unknown: \(tested.subtracting(declared).sorted())")
    }
}
