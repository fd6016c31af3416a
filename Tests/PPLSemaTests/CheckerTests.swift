import PPLDiagnostics
import PPLDistributions
import PPLSema
import PPLSyntax
import Testing

@Suite struct CheckerTests {
    @Test func everyProgramChecksCleanly() throws {
        for (name, text) in try Repository.programs() {
            let (checked, diagnostics) = checkSource(SourceFile(name: name, text: text))
            #expect(diagnostics.isEmpty, "\(name): \(diagnostics)")
            #expect(!checked.queries.isEmpty, "\(name) has no query")
            #expect(!checked.choices.isEmpty, "\(name) makes no choices")
        }
    }

    /// The programs other parts of the project keep under Programs/ (causal, posteriordb, ...) check too.
    @Test func everyProgramInTheTreeChecksCleanly() throws {
        let programs = try Repository.allPrograms()
        #expect(programs.count >= 9)
        for (path, text) in programs {
            let (_, diagnostics) = checkSource(SourceFile(name: path, text: text))
            #expect(diagnostics.isEmpty, "\(path): \(diagnostics)")
        }
    }

    @Test func coinChoicesAreLatentOrObserved() {
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
        let (checked, diagnostics) = checkSource(SourceFile(name: "coin.ppl", text: source))
        #expect(diagnostics.isEmpty)
        guard case .model(let model) = checked.program.declarations[0] else { Issue.record("model"); return }
        let p = model.body.statements[0]
        #expect(checked.choices[p.id]?.kind == .latent)
        #expect(checked.choices[p.id]?.family == "Beta")
        #expect(checked.choices[p.id]?.drawType == .real)
        let pSymbol = checked.definitions[p.id]
        #expect(pSymbol.map { checked.symbol($0).kind } == .latent)
        guard case .forLoop(_, .range(_, let upper), let body) = model.body.statements[1].kind else { Issue.record("for"); return }
        #expect(checked.types[upper.id] == .int)
        #expect(checked.calls[upper.id] == .builtin(.len))
        let observation = body.statements[0]
        #expect(checked.choices[observation.id]?.kind == .observation)
        #expect(checked.choices[observation.id]?.vectorised == false)
        guard case .tilde(let lhs, let distribution) = observation.kind else { Issue.record("tilde"); return }
        #expect(checked.types[lhs.id] == .int)
        // The Bernoulli argument refers to the latent p.
        #expect(checked.references[distribution.arguments[0].id] == pSymbol)
        #expect(checked.models["Coin"]?.returnType == .real)
        #expect(checked.queries.first?.engine == "smc")
    }

    @Test func vectorisedObservationAndIntWidening() {
        let source = """
        model R(x: [Real], y: [Real]) {
          a ~ Normal(0, 1)
          let mu = a + 2 * x
          y ~ Normal(mu, 1)
        }
        """
        let (checked, diagnostics) = checkSource(SourceFile(name: "r.ppl", text: source))
        #expect(diagnostics.isEmpty)
        guard case .model(let model) = checked.program.declarations[0] else { Issue.record("model"); return }
        let y = model.body.statements[2]
        #expect(checked.choices[y.id]?.kind == .observation)
        #expect(checked.choices[y.id]?.vectorised == true)
        #expect(checked.choices[y.id]?.vectorisedArguments == [0])
        guard case .tilde(_, let d) = y.kind else { return }
        // The Int literal 1 passed as sigma: Real is recorded as a coercion.
        #expect(checked.coercions[d.arguments[1].id] == .real)
        guard case .letBinding(_, _, let mu) = model.body.statements[1].kind else { return }
        #expect(checked.types[mu.id] == .array(.real))
        #expect(checked.definitions[model.body.statements[1].id].map { checked.symbol($0).kind } == .reported)
    }

    @Test func latentArrayGrownInALoopIsVisibleAfterIt() {
        let source = """
        model S(y: [Real]) {
          for t in 0..<len(y) {
            x[t] ~ Normal(0, 1)
          }
          for t in 0..<len(y) {
            y[t] ~ Normal(x[t], 1)
          }
          return x
        }
        """
        let (checked, diagnostics) = checkSource(SourceFile(name: "s.ppl", text: source))
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(checked.models["S"]?.returnType == .array(.real))
    }
}

@Suite struct CheckerEdgeTests {
    @Test func emptyArrayTakesTheExpectedType() {
        let source = "fn total(xs: [Int]) -> Int { return sum(xs) }\nlet a = total([])\nlet b: [[Real]] = []"
        let (checked, diagnostics) = checkSource(SourceFile(name: "e.ppl", text: source))
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        guard case .constant(let b) = checked.program.declarations[2] else { return }
        #expect(checked.types[b.value.id] == .array(.array(.real)))
    }

    @Test func branchesMayDrawTheSameAddress() {
        let source = """
        model M() {
          z ~ Bernoulli(0.5)
          if z == 1 { x[0] ~ Normal(1, 1) } else { x[0] ~ Normal(-1, 1) }
          if z == 1 { a ~ Normal(0, 1) } else { a ~ Normal(1, 1) }
          for v in [1.0, 2.0] { v ~ Normal(0, 1) }
          return x
        }
        """
        let (checked, diagnostics) = checkSource(SourceFile(name: "b.ppl", text: source))
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        // A loop variable is a bound value: '~' on it observes.
        #expect(checked.choices.entries.filter { $0.value.kind == .observation }.count == 1)
    }
}

@Suite struct QueryTests {
    @Test func engineOptionsMayNameChoices() {
        let source = """
        model M(y: [Real]) {
          mu ~ Normal(0, 1)
          for i in 0..<len(y) { z[i] ~ Bernoulli(0.5) }
        }
        let n = 200
        infer M([1.0]) with gibbs(schedule: [mu, z], block: z[0], samples: n, step: 0.5)
        """
        let (checked, diagnostics) = checkSource(SourceFile(name: "q.ppl", text: source))
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let query = checked.queries.first
        #expect(query?.addressOptions["schedule"]?.map(\.text) == ["mu", "z"])
        #expect(query?.addressOptions["block"]?.map(\.text) == ["z[0]"])
        #expect(query?.addressOptions["samples"] == nil && query?.addressOptions["step"] == nil)
        // Beside a choice, a name that is not one is a misspelt address.
        let (_, errors) = checkSource(SourceFile(name: "q.ppl", text: source.replacingOccurrences(of: "[mu, z]", with: "[mu, w]")))
        #expect(errors.map(\.message) == ["'with' names 'w', which is not a random choice of model 'M'"])
        // On its own, an unknown name in an option is an undefined name.
        let (_, alone) = checkSource(SourceFile(name: "q.ppl", text: source.replacingOccurrences(of: "[mu, z]", with: "w")))
        #expect(alone.map(\.message) == ["use of undefined name 'w'"])
    }
}

@Suite struct NodeTableTests {
    @Test func setGetReplaceRemove() {
        var table = NodeTable<String>()
        #expect(table.isEmpty && table[NodeID(3)] == nil)
        table[NodeID(3)] = "a"
        table[NodeID(0)] = "b"
        table[NodeID(3)] = "c"
        #expect(table[NodeID(3)] == "c" && table[NodeID(0)] == "b" && table[NodeID(1)] == nil && table[NodeID(99)] == nil)
        #expect(table.count == 2)
        table[NodeID(0)] = nil
        #expect(table[NodeID(0)] == nil && table.count == 1)
        table[NodeID(0)] = "d"
        #expect(table.entries.map(\.id.raw) == [0, 3] && table.entries.map(\.value) == ["d", "c"])
    }
}
