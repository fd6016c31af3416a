import PPLDiagnostics
import PPLIR
import Testing

@Suite struct StaticStructureTests {
    @Test func aBranchOnARandomChoiceMakesTheProgramNonStatic() throws {
        var b = FunctionBuilder(name: "M", kind: .model, parameters: [], returnType: nil)
        let half = b.constant(0.5)
        let z = b.emit(.sample(AddressExpr("z"), family: "Bernoulli", arguments: [half]), .int, name: "z")
        let c = b.emit(.binary(.eq, z, b.constant(1)), .bool)
        b.ifElse(c, at: PPLDiagnostics.SourceLocation(file: "m.ppl", line: 3, column: 3), then: { b in
            b.emit(.sample(AddressExpr("x"), family: "Normal", arguments: [b.constant(0.0), b.constant(1.0)]), .real)
            return []
        }, otherwise: { _ in [] })
        var module = Module(functions: [b.finish()], entry: "M")
        try StaticStructure().run(&module)
        #expect(module.facts.isStatic == false)
        #expect(module.facts.nonStaticReasons == ["branch at m.ppl:3:3 depends on a random choice"])
    }

    @Test func randomnessFlowsThroughCallsAndLoopCarriedValues() throws {
        // fn f(k) { for i in 0..<k { ... } } called with a random k: the loop bound is random.
        var f = FunctionBuilder(name: "f", kind: .function, parameters: [("k", .int)], returnType: nil)
        f.forLoop(f.constant(0), f.parameter(0), at: PPLDiagnostics.SourceLocation(file: "m.ppl", line: 2, column: 3)) { _, _, _ in [] }
        var m = FunctionBuilder(name: "M", kind: .model, parameters: [], returnType: nil)
        let z = m.emit(.sample(AddressExpr("z"), family: "Bernoulli", arguments: [m.constant(0.5)]), .int)
        let acc = m.forLoop(m.constant(0), m.constant(3), carrying: [m.constant(0)]) { b, _, carried in
            [b.emit(.binary(.add, carried[0], z), .int)]
        }
        m.emit(.call("f", [acc[0]]), nil)
        var module = Module(functions: [f.finish(), m.finish()], entry: "M")
        try StaticStructure().run(&module)
        #expect(module.facts.isStatic == false)
        #expect(module.facts.nonStaticReasons.first?.contains("loop bound at m.ppl:2:3") == true)
        // The same program with a constant argument is static.
        var fixed = module
        fixed.functions[1].body.instructions.removeLast()
        fixed.functions[1].body.instructions.append(Instruction(.call("f", [fixed.functions[1].body.instructions[0].result!])))
        fixed.facts = ModuleFacts()
        try StaticStructure().run(&fixed)
        #expect(fixed.facts.isStatic == true)
    }
}
