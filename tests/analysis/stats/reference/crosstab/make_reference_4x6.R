# Reference value for a 4 x 6 table with n = 200 and even margins (numpy's
# default_rng(1).multinomial(200, rep(1/24, 24)) reshaped 4 x 6, as in test_crosstab.py), by R's
# fisher.test (workspace = 2e8), with the time R took. Run from this folder:
#   Rscript make_reference_4x6.R   (writes reference_4x6.json; R needs one to two minutes)
suppressPackageStartupMessages(library(jsonlite))
t <- matrix(c(8, 13, 5, 13, 7, 7,
              11, 7, 8, 3, 10, 8,
              7, 11, 7, 8, 5, 8,
              7, 8, 12, 8, 9, 10), nrow = 4, byrow = TRUE)
s <- system.time(p <- fisher.test(t, workspace = 2e8)$p.value)[[3]]
out <- list(even4x6_n200 = list(table = t, fisher_p = p, r_seconds = s, r_version = R.version.string))
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, matrix = "rowmajor"), "reference_4x6.json")
cat("wrote reference_4x6.json\n")
