/// Records the dependency graph between choice sites: `a -> b` when a value drawn at site `a`
/// reaches `b`'s parameters, observed value, address or a branch or loop bound enclosing `b`.
///
/// Sites are named by their address with `*` for indices (`y[*]`) and, inside a function,
/// under it (`step[*].x`). Dependencies flow through SSA values, loop-carried values, reads of
/// earlier choices (`load`, `gather`), calls and parameters, to a fixpoint.
public struct Dependencies: Pass {
    public static let name = "dependencies"
    public init() {}

    public func run(_ module: inout Module) throws {
        var analysis = DependencyAnalysis(module: module)
        analysis.solve()
        module.facts.latentSites = analysis.latentSites
        module.facts.observedSites = analysis.observedSites
        module.facts.dependencies = analysis.edges.sorted { ($0.from, $0.to) < ($1.from, $1.to) }
    }

    /// The graph in Graphviz dot: latent sites as ellipses, observed ones as shaded boxes.
    public static func dot(_ module: Module) -> String {
        var lines = ["digraph \"\(module.entry)\" {", "  rankdir=TB;"]
        for site in module.facts.latentSites { lines.append("  \"\(site)\" [shape=ellipse];") }
        for site in module.facts.observedSites { lines.append("  \"\(site)\" [shape=box, style=filled, fillcolor=\"#dddddd\"];") }
        for edge in module.facts.dependencies ?? [] { lines.append("  \"\(edge.from)\" -> \"\(edge.to)\";") }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Records each latent site's Markov blanket: parents, children and the children's other parents.
public struct MarkovBlankets: Pass {
    public static let name = "markov-blankets"
    public init() {}

    public func run(_ module: inout Module) throws {
        if module.facts.dependencies == nil { try Dependencies().run(&module) }
        let edges = module.facts.dependencies ?? []
        var parents: [String: Set<String>] = [:], children: [String: Set<String>] = [:]
        for e in edges where e.from != e.to {
            parents[e.to, default: []].insert(e.from)
            children[e.from, default: []].insert(e.to)
        }
        var blankets: [String: [String]] = [:]
        for site in module.facts.latentSites {
            var blanket = parents[site] ?? []
            for child in children[site] ?? [] {
                blanket.insert(child)
                blanket.formUnion(parents[child] ?? [])
            }
            blanket.remove(site)
            blankets[site] = blanket.sorted()
        }
        module.facts.markovBlankets = blankets
    }
}

private struct DependencyAnalysis {
    let module: Module
    /// Per function, the sites each value depends on.
    var deps: [String: [ValueID: Set<String>]] = [:]
    /// Per function, the sites its return value depends on.
    var returns: [String: Set<String>] = [:]
    var edges = Set<SiteDependency>()
    var latentSites: [String] = []
    var observedSites: [String] = []
    var changed = false
    var recordingSites = false

    init(module: Module) { self.module = module }

    func siteName(_ address: AddressExpr, in function: Function) -> String {
        var name = ""
        for component in address.components {
            switch component {
            case .name(let n): name += name.isEmpty ? n : "." + n
            case .index: name += "[*]"
            }
        }
        return function.name == module.entry ? name : "\(function.name)[*].\(name)"
    }

    /// Every latent site of a function and the functions it calls, as seen from a caller.
    func latentSites(of function: String, visited: inout Set<String>) -> Set<String> {
        guard visited.insert(function).inserted, let f = module.function(named: function) else { return [] }
        var out = Set<String>()
        func walk(_ region: Region) {
            for instruction in region.instructions {
                if case .sample(let address, _, _) = instruction.op { out.insert(siteName(address, in: f)) }
                if case .call(let callee, _) = instruction.op { out.formUnion(latentSites(of: callee, visited: &visited)) }
                for nested in instruction.op.regions { walk(nested) }
            }
        }
        walk(f.body)
        return out
    }

    mutating func solve() {
        var rounds = 0
        repeat {
            changed = false
            for function in module.functions { visitFunction(function) }
            rounds += 1
        } while changed && rounds < 100
        recordingSites = true
        for function in module.functions { visitFunction(function) }
    }

    mutating func visitFunction(_ function: Function) {
        var table = deps[function.name] ?? [:]
        let before = table.values.reduce(0) { $0 + $1.count }
        let returned = visit(function.body, function, &table, control: [])
        if returned.subtracting(returns[function.name] ?? []).isEmpty == false {
            returns[function.name, default: []].formUnion(returned)
            changed = true
        }
        if table.values.reduce(0, { $0 + $1.count }) != before { changed = true }
        deps[function.name] = table
    }

    func of(_ v: ValueID, _ table: [ValueID: Set<String>]) -> Set<String> { table[v] ?? [] }

    mutating func add(_ v: ValueID, _ sites: Set<String>, _ table: inout [ValueID: Set<String>]) {
        if sites.isEmpty { return }
        table[v, default: []].formUnion(sites)
    }

    mutating func recordSite(_ name: String, latent: Bool, from sources: Set<String>) {
        guard recordingSites else { return }
        if latent { if !latentSites.contains(name) { latentSites.append(name) } }
        else if !observedSites.contains(name) { observedSites.append(name) }
        for s in sources where s != name { edges.insert(SiteDependency(from: s, to: name)) }
    }

    /// Returns the sites the region's `ret` values depend on.
    mutating func visit(_ region: Region, _ function: Function, _ table: inout [ValueID: Set<String>],
                        control: Set<String>) -> Set<String> {
        var returned = Set<String>()
        for instruction in region.instructions {
            let op = instruction.op
            let inputs = op.operands.reduce(into: Set<String>()) { $0.formUnion(of($1, table)) }
            switch op {
            case .sample(let address, _, _):
                let name = siteName(address, in: function)
                recordSite(name, latent: true, from: inputs.union(control))
                for r in instruction.results { add(r, [name], &table) }
            case .observe(let address, _, _, _):
                recordSite(siteName(address, in: function), latent: false, from: inputs.union(control))
            case .factor:
                recordSite(siteName(AddressExpr("factor"), in: function), latent: false, from: inputs.union(control))
            case .load(let address):
                var sources = inputs
                sources.insert(siteName(AddressExpr(address.root, address.indexValues), in: function))
                for r in instruction.results { add(r, sources, &table) }
            case .gather(let name):
                for r in instruction.results { add(r, inputs.union([siteName(AddressExpr(name, [ValueID(0)]), in: function)]), &table) }
            case .call(let callee, let args):
                var visited = Set<String>()
                let inner = latentSites(of: callee, visited: &visited)
                for r in instruction.results { add(r, inputs.union(returns[callee] ?? []), &table) }
                if let f = module.function(named: callee) {
                    var calleeTable = deps[callee] ?? [:]
                    for (p, a) in zip(f.parameters, args) {
                        let incoming = of(a, table).union(control)
                        if !incoming.subtracting(calleeTable[p.value] ?? []).isEmpty {
                            calleeTable[p.value, default: []].formUnion(incoming)
                            changed = true
                        }
                    }
                    deps[callee] = calleeTable
                }
                _ = inner
            case .forLoop(let loop):
                let bound = of(loop.lower, table).union(of(loop.upper, table))
                var again = true
                var guardRounds = 0
                while again && guardRounds < 50 {
                    guardRounds += 1
                    let before = table.values.reduce(0) { $0 + $1.count }
                    add(loop.body.arguments[0], bound, &table)
                    for (a, v) in zip(loop.body.arguments.dropFirst(), loop.initial) { add(a, of(v, table), &table) }
                    returned.formUnion(visit(loop.body, function, &table, control: control.union(bound)))
                    if case .yield(let ys)? = loop.body.instructions.last?.op {
                        for (k, y) in ys.enumerated() {
                            add(loop.body.arguments[k + 1], of(y, table), &table)
                            add(instruction.results[k], of(y, table).union(bound), &table)
                        }
                    }
                    for (r, v) in zip(instruction.results, loop.initial) { add(r, of(v, table), &table) }
                    again = table.values.reduce(0) { $0 + $1.count } != before
                }
            case .ifElse(let branch):
                let condition = of(branch.condition, table)
                for region in [branch.then, branch.otherwise] {
                    returned.formUnion(visit(region, function, &table, control: control.union(condition)))
                    if case .yield(let ys)? = region.instructions.last?.op {
                        for (k, y) in ys.enumerated() { add(instruction.results[k], of(y, table).union(condition), &table) }
                    }
                }
            case .whileLoop(let loop):
                var again = true
                var guardRounds = 0
                while again && guardRounds < 50 {
                    guardRounds += 1
                    let before = table.values.reduce(0) { $0 + $1.count }
                    for (a, v) in zip(loop.before.arguments, loop.initial) { add(a, of(v, table), &table) }
                    returned.formUnion(visit(loop.before, function, &table, control: control))
                    var condition = Set<String>()
                    if case .condition(let c, let xs)? = loop.before.instructions.last?.op {
                        condition = of(c, table)
                        for (k, x) in xs.enumerated() {
                            add(loop.body.arguments[k], of(x, table), &table)
                            add(instruction.results[k], of(x, table).union(condition), &table)
                        }
                    }
                    returned.formUnion(visit(loop.body, function, &table, control: control.union(condition)))
                    if case .yield(let ys)? = loop.body.instructions.last?.op {
                        for (k, y) in ys.enumerated() { add(loop.before.arguments[k], of(y, table), &table) }
                    }
                    again = table.values.reduce(0) { $0 + $1.count } != before
                }
            case .ret(let v):
                if let v { returned.formUnion(of(v, table)) }
            default:
                for r in instruction.results { add(r, inputs, &table) }
            }
        }
        return returned
    }
}
