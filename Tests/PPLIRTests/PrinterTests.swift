import PPLDiagnostics
import PPLIR
import Testing

@Suite struct PrinterTests {
    static func at(_ line: Int, _ column: Int) -> PPLDiagnostics.SourceLocation { PPLDiagnostics.SourceLocation(file: "coin.ppl", line: line, column: column) }

    /// DESIGN.md's coin model, built by hand.
    static func coin() -> Module {
        var b = FunctionBuilder(name: "Coin", kind: .model, parameters: [("flips", .array(.int))], returnType: .real)
        let one = b.constant(1.0)
        let p = b.emit(.sample(AddressExpr("p"), family: "Normal", arguments: [one, one]), .real, name: "p", at: at(3, 3))
        let n = b.emit(.builtin(.len, [b.parameter(0)]), .int, name: "n", at: at(4, 18))
        b.forLoop(b.constant(0), n, induction: "i", at: at(4, 3)) { b, i, _ in
            let x = b.emit(.index(b.parameter(0), i), .int, name: "x", at: at(5, 5))
            let q = b.emit(.builtin(.logistic, [p]), .real, at: at(5, 30))
            b.emit(.observe(AddressExpr("flips", [i]), family: "Bernoulli", arguments: [q], value: x), nil, at: at(5, 5))
            return []
        }
        b.emit(.ret(p), nil, at: at(7, 3))
        return Module(functions: [b.finish()], entry: "Coin")
    }

    @Test func printsTheStableTextForm() {
        let expected = """
        model Coin(%flips: [Int]) -> Real {
          %p = sample @p Normal(1.0, 1.0) : Real                coin.ppl:3:3
          %n = len(%flips) : Int                                coin.ppl:4:18
          for %i in 0 ..< %n {                                  coin.ppl:4:3
            %x = index %flips, %i : Int                         coin.ppl:5:5
            %0 = logistic(%p) : Real                            coin.ppl:5:30
            observe @flips[%i] Bernoulli(%0), %x                coin.ppl:5:5
          }
          return %p                                             coin.ppl:7:3
        }

        """
        #expect(Printer().print(Self.coin()) == expected)
    }

    @Test func carriedValuesAndBranchesPrintTheirRegions() {
        var b = FunctionBuilder(name: "Sum", kind: .function, parameters: [("n", .int)], returnType: .int)
        let zero = b.constant(0)
        let total = b.forLoop(zero, b.parameter(0), carrying: [zero], induction: "i") { b, i, carried in
            let odd = b.emit(.binary(.mod, i, b.constant(2)), .int)
            let isOdd = b.emit(.binary(.eq, odd, b.constant(1)), .bool, name: "odd")
            let next = b.ifElse(isOdd, resultTypes: [.int], names: ["s"], then: { b in
                [b.emit(.binary(.add, carried[0], i), .int)]
            }, otherwise: { _ in [carried[0]] })
            return next
        }
        b.emit(.ret(total[0]), nil)
        let expected = """
        function Sum(%n: Int) -> Int {
          %0 = for %i in 0 ..< %n iter(%1 = 0) {
            %2 = mod %i, 2 : Int
            %odd = eq %2, 1 : Bool
            %s = if %odd {
              %3 = add %1, %i : Int
              yield %3
            } else {
              yield %1
            }
            yield %s
          }
          return %0
        }

        """
        #expect(Printer(showLocations: false).print(b.finish()) == expected)
    }

    @Test func verifierAcceptsWellFormedAndRejectsBrokenModules() {
        #expect(Verifier().verify(Self.coin()).isEmpty)
        var broken = Self.coin()
        broken.functions[0].body.instructions.insert(
            Instruction(.factor(ValueID(999)), results: []), at: 0)
        broken.functions[0].body.instructions.append(Instruction(.call("nowhere", []), results: []))
        let problems = Verifier().verify(broken)
        #expect(problems.contains { $0.contains("%999") })
        #expect(problems.contains { $0.contains("unknown function 'nowhere'") })
    }

    @Test func passManagerStopsAfterANamedPassAndRejectsUnknownNames() throws {
        struct Mark: Pass {
            static let name = "mark"
            func run(_ module: inout Module) throws { module.facts.latentSites.append("marked") }
        }
        struct Never: Pass {
            static let name = "never"
            func run(_ module: inout Module) throws { module.facts.latentSites.append("never") }
        }
        let manager = PassManager([Mark(), Never()])
        let stopped = try manager.run(Self.coin(), stopAfter: "mark")
        #expect(stopped.facts.latentSites == ["marked"])
        #expect(try manager.run(Self.coin()).facts.latentSites == ["marked", "never"])
        #expect(throws: PassError.self) { try manager.run(Self.coin(), stopAfter: "nope") }
    }
}
