package io.streamssl.models.loss;

import java.util.ArrayList;
import java.util.List;

/**
 * The losses again, written from the papers' formulas in plain double-precision Java with explicit loops:
 * an independent computation the tensor code is checked against (and whose finite differences check its
 * gradients). Nothing here calls the code under test.
 */
final class Reference {

    private Reference() {}

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double[] unit(double[] a) {
        double n = Math.max(Math.sqrt(dot(a, a)), 1e-12);
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] / n;
        }
        return out;
    }

    static double cos(double[] a, double[] b) {
        return dot(unit(a), unit(b));
    }

    static double logSumExp(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double s = 0;
        for (double v : x) {
            s += Math.exp(v - max);
        }
        return max + Math.log(s);
    }

    static double[] logSoftmax(double[] x, double temperature) {
        double[] scaled = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            scaled[i] = x[i] / temperature;
        }
        double lse = logSumExp(scaled);
        for (int i = 0; i < x.length; i++) {
            scaled[i] -= lse;
        }
        return scaled;
    }

    static double ntXent(double[][] z0, double[][] z1, double t) {
        int n = z0.length;
        double[][] z = new double[2 * n][];
        for (int i = 0; i < n; i++) {
            z[i] = unit(z0[i]);
            z[n + i] = unit(z1[i]);
        }
        double total = 0;
        for (int i = 0; i < 2 * n; i++) {
            double[] others = new double[2 * n - 1];
            int j = 0;
            for (int k = 0; k < 2 * n; k++) {
                if (k != i) {
                    others[j++] = dot(z[i], z[k]) / t;
                }
            }
            total += -dot(z[i], z[(i + n) % (2 * n)]) / t + logSumExp(others);
        }
        return total / (2 * n);
    }

    static double infoNceQueue(double[][] q, double[][] k, double[][] queue, double t) {
        double total = 0;
        for (int i = 0; i < q.length; i++) {
            double[] logits = new double[1 + queue.length];
            logits[0] = cos(q[i], k[i]) / t;
            for (int j = 0; j < queue.length; j++) {
                logits[1 + j] = dot(unit(q[i]), queue[j]) / t;
            }
            total += logSumExp(logits) - logits[0];
        }
        return total / q.length;
    }

    /**
     * InstDisc's exact softmax (Wu et al. 2018, eq. 2) over a bank keyed by image: per query the positive p, then
     * the bank rows j < filled with j ≠ own[i] (the own row is the positive when own[i] ≥ 0), at temperature t.
     */
    static double memoryBank(double[][] q, double[][] p, double[][] bank, int filled, int[] own, double t) {
        double total = 0;
        for (int i = 0; i < q.length; i++) {
            List<Double> logits = new ArrayList<>();
            logits.add(cos(q[i], p[i]) / t);
            for (int j = 0; j < filled; j++) {
                if (j != own[i]) {
                    logits.add(dot(unit(q[i]), bank[j]) / t);
                }
            }
            total += logSumExp(logits.stream().mapToDouble(Double::doubleValue).toArray()) - logits.get(0);
        }
        return total / q.length;
    }

    /**
     * SEED (Fang et al. 2021, eq. 4): anchors [z_t, D]; p_t = softmax(unit(t)·anchors / τ_t), p_s = softmax(unit(s)·
     * anchors / τ_s); −Σ p_t log p_s averaged over the batch. The queue rows are used as they are (unit already).
     */
    static double seed(double[][] s, double[][] t, double[][] queue, double tauS, double tauT) {
        double total = 0;
        for (int i = 0; i < s.length; i++) {
            double[] us = unit(s[i]);
            double[] ut = unit(t[i]);
            double[] ls = new double[1 + queue.length];
            double[] lt = new double[1 + queue.length];
            ls[0] = dot(us, ut) / tauS;
            lt[0] = dot(ut, ut) / tauT;
            for (int j = 0; j < queue.length; j++) {
                ls[1 + j] = dot(us, queue[j]) / tauS;
                lt[1 + j] = dot(ut, queue[j]) / tauT;
            }
            double zs = logSumExp(ls);
            double zt = logSumExp(lt);
            for (int j = 0; j < ls.length; j++) {
                total -= Math.exp(lt[j] - zt) * (ls[j] - zs);
            }
        }
        return total / s.length;
    }

    static double infoNceBatch(double[][] q, double[][] k, double t) {
        double total = 0;
        for (int i = 0; i < q.length; i++) {
            double[] logits = new double[k.length];
            for (int j = 0; j < k.length; j++) {
                logits[j] = cos(q[i], k[j]) / t;
            }
            total += logSumExp(logits) - logits[i];
        }
        return total / q.length;
    }

    /**
     * PIRL (Misra &amp; van der Maaten 2019, eq. 5) with the exact softmax: λ·h(g) + (1 − λ)·h(f), where h(q) per
     * image i is −log of the softmax at T of the positive p[i] among p[i] and the bank rows j < filled, j ≠ own[i].
     */
    static double pirl(double[][] g, double[][] f, double[][] p, double[][] bank, int filled, int[] own,
            double lambda, double t) {
        return lambda * bankContrast(g, p, bank, filled, own, t) + (1 - lambda) * bankContrast(f, p, bank, filled, own, t);
    }

    private static double bankContrast(double[][] q, double[][] p, double[][] bank, int filled, int[] own, double t) {
        double total = 0;
        for (int i = 0; i < q.length; i++) {
            double[] u = unit(q[i]);
            double positive = dot(u, unit(p[i])) / t;
            double[] logits = new double[1 + filled];
            int count = 0;
            logits[count++] = positive;
            for (int j = 0; j < filled; j++) {
                if (j != own[i]) {
                    logits[count++] = dot(u, bank[j]) / t;
                }
            }
            total += logSumExp(java.util.Arrays.copyOf(logits, count)) - positive;
        }
        return total / q.length;
    }

    /** NNCLR: ½ InfoNCE(NN(z0), p1) + ½ InfoNCE(NN(z1), p0), NN by highest cosine among the support rows. */
    static double nnclr(double[][] z0, double[][] z1, double[][] p0, double[][] p1, double[][] support, double t) {
        return infoNceBatch(nearest(z0, support), p1, t) / 2 + infoNceBatch(nearest(z1, support), p0, t) / 2;
    }

    static double[][] nearest(double[][] z, double[][] support) {
        double[][] out = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            int best = 0;
            for (int j = 1; j < support.length; j++) {
                if (cos(z[i], support[j]) > cos(z[i], support[best])) {
                    best = j;
                }
            }
            out[i] = support[best];
        }
        return out;
    }

    static double negativeCosine(double[][] p, double[][] z) {
        double total = 0;
        for (int i = 0; i < p.length; i++) {
            total -= cos(p[i], z[i]);
        }
        return total / p.length;
    }

    static double normalizedMse(double[][] p, double[][] z) {
        double total = 0;
        for (int i = 0; i < p.length; i++) {
            double[] a = unit(p[i]);
            double[] b = unit(z[i]);
            for (int d = 0; d < a.length; d++) {
                total += (a[d] - b[d]) * (a[d] - b[d]);
            }
        }
        return total / p.length;
    }

    static double dino(List<double[][]> student, List<double[][]> teacher, double[] center, double ts, double tt) {
        double total = 0;
        int pairs = 0;
        for (int t = 0; t < teacher.size(); t++) {
            for (int s = 0; s < student.size(); s++) {
                if (s == t) {
                    continue;
                }
                double ce = 0;
                for (int n = 0; n < student.get(s).length; n++) {
                    double[] centred = new double[center.length];
                    for (int k = 0; k < center.length; k++) {
                        centred[k] = teacher.get(t)[n][k] - center[k];
                    }
                    double[] logP = logSoftmax(centred, tt);
                    double[] logQ = logSoftmax(student.get(s)[n], ts);
                    for (int k = 0; k < center.length; k++) {
                        ce -= Math.exp(logP[k]) * logQ[k];
                    }
                }
                total += ce / student.get(s).length;
                pairs++;
            }
        }
        return total / pairs;
    }

    static double swav(List<double[][]> scores, List<double[][]> codes, double t) {
        double total = 0;
        int pairs = 0;
        for (int a = 0; a < codes.size(); a++) {
            for (int v = 0; v < scores.size(); v++) {
                if (v == a) {
                    continue;
                }
                double ce = 0;
                for (int n = 0; n < scores.get(v).length; n++) {
                    double[] logP = logSoftmax(scores.get(v)[n], t);
                    for (int k = 0; k < logP.length; k++) {
                        ce -= codes.get(a)[n][k] * logP[k];
                    }
                }
                total += ce / scores.get(v).length;
                pairs++;
            }
        }
        return total / pairs;
    }

    /**
     * DeepCluster-v2 / SeLA: view 1 predicts label0 (view 0's), view 0 predicts label1, by cross-entropy of
     * softmax(s_v / t); mean over rows and the two views.
     */
    static double pseudoLabel(double[][] s0, double[][] s1, int[] labels0, int[] labels1, double t) {
        double total = 0;
        for (int n = 0; n < s0.length; n++) {
            total -= logSoftmax(s1[n], t)[labels0[n]] + logSoftmax(s0[n], t)[labels1[n]];
        }
        return total / (2.0 * s0.length);
    }

    /** The index of each row's largest entry (the first on ties). */
    static int[] argmaxRows(double[][] x) {
        int[] out = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            for (int k = 1; k < x[i].length; k++) {
                if (x[i][k] > x[i][out[i]]) {
                    out[i] = k;
                }
            }
        }
        return out;
    }

    /** Sinkhorn-Knopp as in SwAV's Algorithm 1, returning codes (B, K) = plan × B. */
    static double[][] sinkhornCodes(double[][] scores, int iterations, double eps) {
        int b = scores.length;
        int k = scores[0].length;
        double[][] q = new double[b][k];
        double sum = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < k; j++) {
                q[i][j] = Math.exp(scores[i][j] / eps);
                sum += q[i][j];
            }
        }
        scale(q, 1 / sum);
        for (int it = 0; it < iterations; it++) {
            for (int j = 0; j < k; j++) {
                double col = 0;
                for (int i = 0; i < b; i++) {
                    col += q[i][j];
                }
                for (int i = 0; i < b; i++) {
                    q[i][j] /= col * k;
                }
            }
            for (int i = 0; i < b; i++) {
                double row = 0;
                for (int j = 0; j < k; j++) {
                    row += q[i][j];
                }
                for (int j = 0; j < k; j++) {
                    q[i][j] /= row * b;
                }
            }
        }
        scale(q, b);
        return q;
    }

    private static void scale(double[][] q, double f) {
        for (double[] row : q) {
            for (int j = 0; j < row.length; j++) {
                row[j] *= f;
            }
        }
    }

    static double barlowTwins(double[][] z0, double[][] z1, double lambda) {
        int n = z0.length;
        int d = z0[0].length;
        double[][] a = standardise(z0);
        double[][] b = standardise(z1);
        double loss = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double c = 0;
                for (int s = 0; s < n; s++) {
                    c += a[s][i] * b[s][j];
                }
                c /= n;
                loss += i == j ? (1 - c) * (1 - c) : lambda * c * c;
            }
        }
        return loss;
    }

    private static double[][] standardise(double[][] z) {
        int n = z.length;
        int d = z[0].length;
        double[][] out = new double[n][d];
        for (int j = 0; j < d; j++) {
            double mean = 0;
            for (double[] row : z) {
                mean += row[j];
            }
            mean /= n;
            double var = 0;
            for (double[] row : z) {
                var += (row[j] - mean) * (row[j] - mean);
            }
            var /= n; // biased, as BatchNorm1d in training
            for (int s = 0; s < n; s++) {
                out[s][j] = (z[s][j] - mean) / Math.sqrt(var + 1e-5);
            }
        }
        return out;
    }

    static double vicreg(double[][] z0, double[][] z1, double sim, double std, double cov) {
        int n = z0.length;
        int d = z0[0].length;
        double mse = 0;
        for (int s = 0; s < n; s++) {
            for (int j = 0; j < d; j++) {
                mse += (z0[s][j] - z1[s][j]) * (z0[s][j] - z1[s][j]);
            }
        }
        mse /= n * d;
        double stdLoss = (hingeStd(z0) + hingeStd(z1)) / 2;
        double covLoss = offDiagonalCov(z0) + offDiagonalCov(z1);
        return sim * mse + std * stdLoss + cov * covLoss;
    }

    private static double[][] centred(double[][] z) {
        int n = z.length;
        int d = z[0].length;
        double[][] out = new double[n][d];
        for (int j = 0; j < d; j++) {
            double mean = 0;
            for (double[] row : z) {
                mean += row[j];
            }
            mean /= n;
            for (int s = 0; s < n; s++) {
                out[s][j] = z[s][j] - mean;
            }
        }
        return out;
    }

    private static double hingeStd(double[][] z) {
        double[][] c = centred(z);
        int n = z.length;
        int d = z[0].length;
        double total = 0;
        for (int j = 0; j < d; j++) {
            double var = 0;
            for (double[] row : c) {
                var += row[j] * row[j];
            }
            total += Math.max(0, 1 - Math.sqrt(var / (n - 1) + 1e-4));
        }
        return total / d;
    }

    private static double offDiagonalCov(double[][] z) {
        double[][] c = centred(z);
        int n = z.length;
        int d = z[0].length;
        double total = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                if (i != j) {
                    double cov = 0;
                    for (double[] row : c) {
                        cov += row[i] * row[j];
                    }
                    cov /= n - 1;
                    total += cov * cov;
                }
            }
        }
        return total / d;
    }

    /**
     * OBoW's target (Gidaris et al. 2021): {@code locations[i][l]} the feature at location l of image i; code of
     * word k = softmax_k(−‖f − w_k‖² · invDelta / m); pooled over the locations by max ({@code max}) or mean;
     * L1-normalised.
     */
    static double[][] bowTarget(double[][][] locations, double[][] words, double invDelta, double m, boolean max) {
        int n = locations.length;
        int k = words.length;
        double[][] out = new double[n][k];
        for (int i = 0; i < n; i++) {
            for (double[] f : locations[i]) {
                double[] logits = new double[k];
                for (int j = 0; j < k; j++) {
                    logits[j] = -squaredDistance(f, words[j]) * invDelta / m;
                }
                double lse = logSumExp(logits);
                for (int j = 0; j < k; j++) {
                    double code = Math.exp(logits[j] - lse);
                    out[i][j] = max ? Math.max(out[i][j], code) : out[i][j] + code / locations[i].length;
                }
            }
            double sum = 0;
            for (double v : out[i]) {
                sum += v;
            }
            for (int j = 0; j < k; j++) {
                out[i][j] /= sum;
            }
        }
        return out;
    }

    /** Mean over images and locations of the squared distance to the nearest word. */
    static double meanNearestWordDistance(double[][][] locations, double[][] words) {
        double total = 0;
        int count = 0;
        for (double[][] image : locations) {
            for (double[] f : image) {
                double best = Double.POSITIVE_INFINITY;
                for (double[] w : words) {
                    best = Math.min(best, squaredDistance(f, w));
                }
                total += best;
                count++;
            }
        }
        return total / count;
    }

    static double squaredDistance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return s;
    }

    /**
     * OBoW's student loss: logits κ·f·unit(w_k) of each view's features (κ·unit(f)·unit(w_k) if {@code normalize}),
     * cross-entropy against the target of each other view among the first {@code targets.size()}, averaged over
     * images and pairs.
     */
    static double bowPrediction(List<double[][]> features, double[][] weights, List<double[][]> targets,
            double kappa, boolean normalize) {
        double[][] units = new double[weights.length][];
        for (int k = 0; k < weights.length; k++) {
            units[k] = unit(weights[k]);
        }
        double total = 0;
        int pairs = 0;
        for (int a = 0; a < targets.size(); a++) {
            for (int v = 0; v < features.size(); v++) {
                if (v == a) {
                    continue;
                }
                double ce = 0;
                double[][] f = features.get(v);
                for (int i = 0; i < f.length; i++) {
                    double[] logits = new double[units.length];
                    for (int k = 0; k < units.length; k++) {
                        logits[k] = kappa * dot(normalize ? unit(f[i]) : f[i], units[k]);
                    }
                    double[] logProb = logSoftmax(logits, 1);
                    for (int k = 0; k < units.length; k++) {
                        ce -= targets.get(a)[i][k] * logProb[k];
                    }
                }
                total += ce / f.length;
                pairs++;
            }
        }
        return total / pairs;
    }

    /** Mean over rows of −log softmax(logits_i)[label_i]: the pretext classifier's cross-entropy. */
    static double pretextClassification(double[][] logits, int[] labels) {
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            sum -= logSoftmax(logits[i], 1)[labels[i]];
        }
        return sum / logits.length;
    }
}
