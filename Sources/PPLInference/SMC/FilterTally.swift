import Foundation

/// What an SMC run keeps from step to step besides its particles: the evidence, the ESS history
/// and the counts the posterior reports, with the errors a step's weights can raise. Both loops
/// (`SMCFilter` particle by particle, `PopulationFilter` over columns) keep one.
struct FilterTally {
    var logEvidence = 0.0
    var essHistory: [Double] = []
    var resamplingCount = 0
    /// Steps that met an observation (a model without any runs the prior, with a note).
    var observationSteps = 0
    var step = 0

    func notANumber(particle i: Int, location: String?) -> ModelError {
        ModelError(.notFinite, "an observation's log density is NaN at step \(step) of smc (particle \(i)); check the observed distribution's parameters",
                   location: location)
    }

    func allZero(particles n: Int, location: String?) -> ModelError {
        ModelError(.other, "all \(n) particles have zero weight at step \(step) of smc (observation \(observationSteps)); the observation is impossible under every particle: check the data and the model, or use more particles",
                   location: location)
    }

    /// Normalises the step's log weights (log Σ exp = 0) and fills `weights` with the normalised
    /// weights, in one pass for the increment log Σ exp, the weights and Kish's ESS; adds the
    /// increment to the evidence and records the ESS, which it returns. `maximum` is the largest
    /// log weight (finite). With weights kept normalised between steps, the increment is
    /// log Σ_i W_{t-1}^i w_t^i.
    mutating func absorb(_ logWeights: inout [Double], _ weights: inout [Double], maximum: Double) -> Double {
        let n = logWeights.count
        var sum = 0.0, sumOfSquares = 0.0
        for i in 0..<n {
            let w = exp(logWeights[i] - maximum)
            weights[i] = w
            sum += w
            sumOfSquares += w * w
        }
        let increment = maximum + log(sum)
        for i in 0..<n {
            logWeights[i] -= increment
            weights[i] /= sum
        }
        let ess = sum * sum / sumOfSquares
        logEvidence += increment
        essHistory.append(ess)
        return ess
    }
}
