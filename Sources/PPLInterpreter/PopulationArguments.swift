import PPLDistributions
import PPLInference

/// A register read over a block's particles: a column, an int column read as reals, or one value for all.
struct RealLanes {
    let column: UnsafeMutablePointer<Double>?
    let intColumn: UnsafeMutablePointer<Int>?
    let value: Double
    var isUniform: Bool { column == nil && intColumn == nil }
    @inline(__always) subscript(j: Int) -> Double {
        if let column { return column[j] }
        if let intColumn { return Double(intColumn[j]) }
        return value
    }
}

struct IntLanes {
    let column: UnsafeMutablePointer<Int>?
    let value: Int
    @inline(__always) subscript(j: Int) -> Int { column?[j] ?? value }
}

/// A register read as language values over a block's particles: one value, a scalar column, or a
/// row chosen per particle.
struct ArgumentLanes {
    enum Source {
        case uniform(Value), real(RealLanes), int(IntLanes, isBool: Bool), row([Value], [Int])
        case arrays(UnsafeMutablePointer<Obj>, ValueType)
    }
    let source: Source
    var isUniform: Bool { if case .uniform = source { true } else { false } }

    init(_ lanes: BlockLanes, _ r: Reg) {
        let type = lanes.program.type(of: r)
        switch r.file {
        case .object:
            if let row = lanes.rows[r.index] {
                source = .row(row.values, row.chosen)
            } else if let column = lanes.objectColumn(r.index) {
                source = .arrays(column, type)
            } else {
                source = .uniform(lanes.program.value(of: r, lanes.state.pointee, 0, 0, 0))
            }
        case .real:
            let x = lanes.real(r.index)
            source = x.isUniform ? .uniform(.real(x.value)) : .real(x)
        case .int:
            let x = lanes.int(r.index)
            source = x.column == nil ? .uniform(lanes.program.value(of: r, lanes.state.pointee, 0, 0, 0)) : .int(x, isBool: type == .bool)
        }
    }

    subscript(j: Int) -> Value {
        switch source {
        case .uniform(let v): v
        case .real(let x): .real(x[j])
        case .int(let x, let isBool): isBool ? .bool(x[j] != 0) : .int(x[j])
        case .row(let values, let chosen): values[chosen[j]]
        case .arrays(let column, let type): toValue(column[j], type: type)
        }
    }
}

/// The instances of an array-parameter family over a block's particles: one for all when its
/// arguments are the same for all, one per row when only a chosen row differs, else one each.
struct GenericLanes {
    let lanes: BlockLanes
    let spec: SiteSpec
    let family: Family
    let arguments: [ArgumentLanes]
    /// The one varying argument when it is a row (instances cached by row), or nil.
    let rowArgument: Int?
    var shared: AnyDistribution?
    var byRow: [Int: AnyDistribution] = [:]

    init(_ lanes: BlockLanes, _ spec: SiteSpec, _ family: Family) throws(ModelError) {
        self.lanes = lanes
        self.spec = spec
        self.family = family
        let arguments = spec.arguments.map { ArgumentLanes(lanes, $0) }
        self.arguments = arguments
        let varying = arguments.indices.filter { !arguments[$0].isUniform }
        if varying.count == 1, case .row = arguments[varying[0]].source {
            rowArgument = varying[0]
        } else {
            rowArgument = nil
        }
        if varying.isEmpty { shared = try make(0) }
    }

    func make(_ j: Int) throws(ModelError) -> AnyDistribution {
        do {
            return try family.make(arguments.map { $0[j] })
        } catch {
            var s = lanes.particleState(j)
            throw ModelError(.badParameter(error), error.description, location: spec.location,
                             address: lanes.program.currentAddress(spec, &s, 0, 0))
        }
    }

    mutating func instance(_ j: Int) throws(ModelError) -> AnyDistribution {
        if let shared { return shared }
        guard let r = rowArgument, case .row(_, let chosen) = arguments[r].source else { return try make(j) }
        if let known = byRow[chosen[j]] { return known }
        let made = try make(j)
        byRow[chosen[j]] = made
        return made
    }
}
