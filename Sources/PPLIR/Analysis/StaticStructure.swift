/// Decides whether a program is static: no branch, loop bound, `while` condition or address
/// index depends on a random choice, so every run makes the same set of choices.
///
/// Engines that need a fixed graph (Markov-blanket updates, Gibbs schedules) read
/// `ModuleFacts.isStatic`; the reasons name each offending place.
public struct StaticStructure: Pass {
    public static let name = "static-structure"
    public init() {}

    public func run(_ module: inout Module) throws {
        let randomness = Randomness(module)
        var reasons: [String] = []
        for function in module.functions {
            let random = randomness.random[function.name] ?? []
            check(function.body, random: random, function: function, reasons: &reasons)
        }
        module.facts.isStatic = reasons.isEmpty
        module.facts.nonStaticReasons = reasons
    }

    private func check(_ region: Region, random: Set<ValueID>, function: Function, reasons: inout [String]) {
        for instruction in region.instructions {
            let at = instruction.location.map { " at \($0)" } ?? " in '\(function.name)'"
            switch instruction.op {
            case .ifElse(let branch) where random.contains(branch.condition):
                reasons.append("branch\(at) depends on a random choice")
            case .forLoop(let loop) where random.contains(loop.lower) || random.contains(loop.upper):
                reasons.append("loop bound\(at) depends on a random choice")
            case .whileLoop(let loop):
                if case .condition(let c, _)? = loop.before.instructions.last?.op, random.contains(c) {
                    reasons.append("'while' condition\(at) depends on a random choice")
                }
            case .sample(let address, _, _), .observe(let address, _, _, _), .load(let address):
                if address.indexValues.contains(where: { random.contains($0) }) {
                    reasons.append("address '\(address.root)[...]'\(at) has an index that depends on a random choice")
                }
            default: break
            }
            for nested in instruction.op.regions { check(nested, random: random, function: function, reasons: &reasons) }
        }
    }
}
