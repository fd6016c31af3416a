import Foundation
import PPLDistributions
import PPLInference

extension BlockLanes {
    /// A scalar instruction that writes a column, over the block's particles.
    func lanes(_ instruction: Code, _ pc: Int) throws(ModelError) {
        let n = count
        switch instruction {
        case .constR(let d, let x):
            let out = try realOut(d)
            for j in 0..<n { out[j] = x }
        case .constI(let d, let x):
            let out = try intOut(d)
            for j in 0..<n { out[j] = x }
        case .movR(let d, let a):
            let x = real(a), out = try realOut(d)
            for j in 0..<n { out[j] = x[j] }
        case .movI(let d, let a):
            let x = int(a), out = try intOut(d)
            for j in 0..<n { out[j] = x[j] }
        case .itor(let d, let a):
            let x = int(a), out = try realOut(d)
            for j in 0..<n { out[j] = Double(x[j]) }
        case .negR(let d, let a):
            let x = real(a), out = try realOut(d)
            for j in 0..<n { out[j] = -x[j] }
        case .negI(let d, let a):
            let x = int(a), out = try intOut(d)
            for j in 0..<n { out[j] = 0 &- x[j] }
        case .notI(let d, let a):
            let x = int(a), out = try intOut(d)
            for j in 0..<n { out[j] = x[j] == 0 ? 1 : 0 }
        case .absI(let d, let a):
            let x = int(a), out = try intOut(d)
            for j in 0..<n { out[j] = Swift.abs(x[j]) }
        case .addR(let d, let a, let b):
            let x = real(a), y = real(b), out = try realOut(d)
            for j in 0..<n { out[j] = x[j] + y[j] }
        case .subR(let d, let a, let b):
            let x = real(a), y = real(b), out = try realOut(d)
            for j in 0..<n { out[j] = x[j] - y[j] }
        case .mulR(let d, let a, let b):
            let x = real(a), y = real(b), out = try realOut(d)
            if let column = x.column, y.isUniform {
                let c = y.value
                for j in 0..<n { out[j] = column[j] * c }
            } else if let column = y.column, x.isUniform {
                let c = x.value
                for j in 0..<n { out[j] = c * column[j] }
            } else {
                for j in 0..<n { out[j] = x[j] * y[j] }
            }
        case .powR(let d, let a, let b):
            let x = real(a), y = real(b), out = try realOut(d)
            for j in 0..<n { out[j] = Foundation.pow(x[j], y[j]) }
        case .divR(let d, let a, let b, _):
            let x = real(a), y = real(b), out = try realOut(d)
            for j in 0..<n {
                if y[j] == 0 { throw failure(j, instruction, pc) }
                out[j] = x[j] / y[j]
            }
        case .modR(let d, let a, let b, _):
            let x = real(a), y = real(b), out = try realOut(d)
            for j in 0..<n {
                if y[j] == 0 { throw failure(j, instruction, pc) }
                out[j] = fmod(x[j], y[j])
            }
        case .addI(let d, let a, let b):
            let x = int(a), y = int(b), out = try intOut(d)
            for j in 0..<n { out[j] = x[j] &+ y[j] }
        case .subI(let d, let a, let b):
            let x = int(a), y = int(b), out = try intOut(d)
            for j in 0..<n { out[j] = x[j] &- y[j] }
        case .mulI(let d, let a, let b):
            let x = int(a), y = int(b), out = try intOut(d)
            for j in 0..<n { out[j] = x[j] &* y[j] }
        case .divI(let d, let a, let b, _):
            let x = int(a), y = int(b), out = try intOut(d)
            for j in 0..<n {
                if y[j] == 0 { throw failure(j, instruction, pc) }
                out[j] = x[j] / y[j]
            }
        case .modI(let d, let a, let b, _):
            let x = int(a), y = int(b), out = try intOut(d)
            for j in 0..<n {
                if y[j] == 0 { throw failure(j, instruction, pc) }
                out[j] = x[j] % y[j]
            }
        case .minI(let d, let a, let b):
            let x = int(a), y = int(b), out = try intOut(d)
            for j in 0..<n { out[j] = Swift.min(x[j], y[j]) }
        case .maxI(let d, let a, let b):
            let x = int(a), y = int(b), out = try intOut(d)
            for j in 0..<n { out[j] = Swift.max(x[j], y[j]) }
        case .cmpR(let op, let d, let a, let b):
            let x = real(a), y = real(b), out = try intOut(d)
            for j in 0..<n { out[j] = compare(op, x[j], y[j]) ? 1 : 0 }
        case .cmpI(let op, let d, let a, let b):
            let x = int(a), y = int(b), out = try intOut(d)
            for j in 0..<n { out[j] = compare(op, x[j], y[j]) ? 1 : 0 }
        case .andI(let d, let a, let b):
            let x = int(a), y = int(b), out = try intOut(d)
            for j in 0..<n { out[j] = (x[j] != 0 && y[j] != 0) ? 1 : 0 }
        case .orI(let d, let a, let b):
            let x = int(a), y = int(b), out = try intOut(d)
            for j in 0..<n { out[j] = (x[j] != 0 || y[j] != 0) ? 1 : 0 }
        case .math1(let op, let d, let a, _):
            let x = real(a), out = try realOut(d)
            for j in 0..<n {
                let y = math1(op, x[j])
                if y.isNaN { throw failure(j, instruction, pc) }
                out[j] = y
            }
        case .math2(let op, let d, let a, let b, _):
            let x = real(a), y = real(b), out = try realOut(d)
            for j in 0..<n {
                let z = math2(op, x[j], y[j])
                if z.isNaN { throw failure(j, instruction, pc) }
                out[j] = z
            }
        case .indexR(let d, let a, let i, _):
            // The array is the same for every particle (the plan checks); the index may not be.
            let k = int(i), out = try realOut(d)
            switch state.pointee.objects[Int(a)] {
            case .reals(let xs):
                for j in 0..<n {
                    guard k[j] >= 0 && k[j] < xs.count else { throw failure(j, instruction, pc) }
                    out[j] = xs[k[j]]
                }
            case .ints(let xs):
                for j in 0..<n {
                    guard k[j] >= 0 && k[j] < xs.count else { throw failure(j, instruction, pc) }
                    out[j] = Double(xs[k[j]])
                }
            default: throw failure(0, instruction, pc)
            }
        case .indexI(let d, let a, let i, _):
            let k = int(i), out = try intOut(d)
            guard case .ints(let xs) = state.pointee.objects[Int(a)] else { throw failure(0, instruction, pc) }
            for j in 0..<n {
                guard k[j] >= 0 && k[j] < xs.count else { throw failure(j, instruction, pc) }
                out[j] = xs[k[j]]
            }
        default:
            throw ModelError(.other, "internal error: instruction \(pc) cannot run over a population's columns")
        }
    }
}
