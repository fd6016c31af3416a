/// The dependency graph between choice sites: `from -> to` when a value drawn or observed at
/// `from` flows into `to`'s parameters, address or the branch or loop bound that decides it.
///
/// Sites are named by their address with every index written `[*]` (`z[*]`, `f[*].x`), so a loop
/// body is one node. Data flows through operations, loop-carried values, branch results,
/// `load` and `gather` (which read sites back) and calls (a callee's choices nest under `f[*].`).
/// This is the graph of a Bayesian network read off a program (Pearl 1988, ch. 3); control
/// dependence is included because an intervention upstream of a branch changes what is drawn.
public struct SiteDependencies: Sendable {
    public struct Node: Sendable, Hashable {
        public var site: String
        public var observed: Bool
    }

    /// Sites in program order.
    public private(set) var nodes: [Node] = []
    /// Edges in first-seen order, without duplicates.
    public private(set) var edges: [SiteDependency] = []

    /// The graph of the module's entry function.
    public init(_ module: Module) {
        guard let entry = module.entryFunction else { return }
        var walker = Walker(module: module)
        walker.function(entry, prefix: "", arguments: [])
        nodes = walker.nodes
        edges = walker.edges
    }

    /// `z[%i]` → `z[*]`, under a call prefix.
    public static func site(of address: AddressExpr, prefix: String = "") -> String {
        var out = prefix
        for (k, component) in address.components.enumerated() {
            switch component {
            case .name(let n): out += k == 0 ? n : "." + n
            case .index: out += "[*]"
            }
        }
        return out
    }

    private struct Walker {
        let module: Module
        var nodes: [Node] = []
        var edges: [SiteDependency] = []
        var seenEdges: Set<SiteDependency> = []
        var seenNodes: Set<String> = []
        var sources: [ValueID: Set<String>] = [:]
        var control: [Set<String>] = [[]]
        var callDepth = 0

        init(module: Module) { self.module = module }

        func of(_ values: [ValueID]) -> Set<String> {
            values.reduce(into: Set<String>()) { $0.formUnion(sources[$1] ?? []) }
        }

        mutating func node(_ site: String, observed: Bool, from parents: Set<String>) {
            if seenNodes.insert(site).inserted { nodes.append(Node(site: site, observed: observed)) }
            for parent in parents.sorted() where parent != site {
                let edge = SiteDependency(from: parent, to: site)
                if seenEdges.insert(edge).inserted { edges.append(edge) }
            }
        }

        /// Walks a function with its parameters bound to these sources; returns its result's sources.
        @discardableResult
        mutating func function(_ f: Function, prefix: String, arguments: [Set<String>]) -> Set<String> {
            let saved = sources
            sources = [:]
            for (p, a) in zip(f.parameters, arguments) { sources[p.value] = a }
            let result = region(f.body, prefix: prefix)
            sources = saved
            return result
        }

        /// Returns the sources of what the region returns (for `ret`).
        mutating func region(_ region: Region, prefix: String) -> Set<String> {
            var returned: Set<String> = []
            let around = control.last ?? []
            for instruction in region.instructions {
                let op = instruction.op
                let inputs = of(op.operands)
                switch op {
                case .sample(let address, _, let arguments):
                    let site = SiteDependencies.site(of: address, prefix: prefix)
                    node(site, observed: false, from: of(arguments + address.indexValues).union(around))
                    for r in instruction.results { sources[r] = [site] }
                case .observe(let address, _, let arguments, let value):
                    let site = SiteDependencies.site(of: address, prefix: prefix)
                    node(site, observed: true, from: of(arguments + address.indexValues + [value]).union(around))
                case .load(let address):
                    let site = SiteDependencies.site(of: address, prefix: prefix)
                    for r in instruction.results { sources[r] = inputs.union([site]) }
                case .gather(let name):
                    let site = nodes.first { $0.site == prefix + name || $0.site.hasPrefix(prefix + name + "[") }?.site ?? prefix + name + "[*]"
                    for r in instruction.results { sources[r] = [site] }
                case .call(let callee, let arguments):
                    var result = inputs
                    if let f = module.function(named: callee), callDepth < 8 {
                        callDepth += 1
                        control.append(around)
                        result.formUnion(function(f, prefix: prefix + callee + "[*].", arguments: arguments.map { of([$0]) }))
                        control.removeLast()
                        callDepth -= 1
                    }
                    for r in instruction.results { sources[r] = result }
                case .forLoop(let loop):
                    let bound = of([loop.lower, loop.upper])
                    sources[loop.body.arguments[0]] = bound
                    for (a, v) in zip(loop.body.arguments.dropFirst(), loop.initial) { sources[a] = of([v]) }
                    control.append(around.union(bound))
                    // Carried values feed the next iteration: two passes reach the fixpoint of the sets.
                    for _ in 0..<2 {
                        returned.formUnion(self.region(loop.body, prefix: prefix))
                        if case .yield(let ys)? = loop.body.instructions.last?.op {
                            for (a, y) in zip(loop.body.arguments.dropFirst(), ys) { sources[a, default: []].formUnion(of([y])) }
                        }
                    }
                    control.removeLast()
                    for (k, r) in instruction.results.enumerated() { sources[r] = sources[loop.body.arguments[k + 1]] ?? [] }
                case .ifElse(let branch):
                    let condition = of([branch.condition])
                    control.append(around.union(condition))
                    var results = Array(repeating: condition, count: instruction.results.count)
                    for nested in [branch.then, branch.otherwise] {
                        returned.formUnion(self.region(nested, prefix: prefix))
                        if case .yield(let ys)? = nested.instructions.last?.op {
                            for (k, y) in ys.enumerated() where k < results.count { results[k].formUnion(of([y])) }
                        }
                    }
                    control.removeLast()
                    for (r, s) in zip(instruction.results, results) { sources[r] = s }
                case .whileLoop(let loop):
                    for (a, v) in zip(loop.before.arguments, loop.initial) { sources[a] = of([v]) }
                    var decided = around
                    for _ in 0..<2 {
                        control.append(decided)
                        returned.formUnion(self.region(loop.before, prefix: prefix))
                        control.removeLast()
                        if case .condition(let c, let xs)? = loop.before.instructions.last?.op {
                            decided.formUnion(of([c]))
                            for (a, x) in zip(loop.body.arguments, xs) { sources[a] = of([x, c]) }
                        }
                        control.append(decided)
                        returned.formUnion(self.region(loop.body, prefix: prefix))
                        control.removeLast()
                        if case .yield(let ys)? = loop.body.instructions.last?.op {
                            for (a, y) in zip(loop.before.arguments, ys) { sources[a, default: []].formUnion(of([y])) }
                        }
                    }
                    for (k, r) in instruction.results.enumerated() { sources[r] = sources[loop.body.arguments[k]] ?? decided }
                case .ret(let v):
                    if let v { returned.formUnion(of([v])) }
                default:
                    for r in instruction.results { sources[r] = inputs }
                }
            }
            return returned
        }
    }
}
