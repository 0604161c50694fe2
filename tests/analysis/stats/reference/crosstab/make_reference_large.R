# Reference values for the larger tables of analysis.stats.crosstab's Fisher test, by R 4.2.2's
# fisher.test (workspace = 2e8), with the time R took. Run from this folder:
#   Rscript make_reference_large.R   (writes reference_large.json)
suppressPackageStartupMessages(library(jsonlite))
tables <- list(
  # R's esoph data: cases by alcohol and by tobacco consumption (4 x 4, n = 200)
  # (R's fisher.test ran more than 15 minutes on agegp x alcgp and agegp x tobgp, 6 x 4, n = 200)
  esoph_alc_tob = unclass(xtabs(ncases ~ alcgp + tobgp, esoph))
)
# four very sparse 50 x 50 tables with n = 40: R's exact p-value is checked against its Monte Carlo one
set.seed(18)
for (i in 1:4) {
  t <- matrix(rmultinom(1, 40, rep(1, 2500)), 50, 50)
  tables[[sprintf("sparse50x50_%d", i)]] <- t
}
out <- lapply(tables, function(t) {
  t <- matrix(as.numeric(t), nrow(t))
  s <- system.time(p <- tryCatch(fisher.test(t, workspace = 2e8)$p.value, error = function(e) NA))[[3]]
  mc <- fisher.test(t, simulate.p.value = TRUE, B = 1e5)$p.value
  list(table = t, fisher_p = p, # NA where FEXACT fails (its hash key overflows)
        r_seconds = s, monte_carlo_p = mc, monte_carlo_B = 1e5)
})
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, matrix = "rowmajor"), "reference_large.json")
cat("wrote reference_large.json\n")
