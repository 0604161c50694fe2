# Reference values for analysis.stats.crosstab (chisq.test, fisher.test), computed by R 4.2.2.
# Run from this folder:  Rscript make_reference.R   (writes reference.json)
suppressPackageStartupMessages(library(jsonlite))
tables <- list(
  # fisher.test's documented example: Job satisfaction by income (Agresti 2002, p. 57)
  job = matrix(c(1, 2, 1, 0, 3, 3, 6, 1, 10, 10, 14, 9, 6, 7, 12, 11), 4, 4),
  sparse3x3 = matrix(c(3, 0, 1, 1, 4, 0, 0, 2, 5), 3, 3),
  wide2x5 = matrix(c(2, 5, 1, 3, 0, 4, 6, 1, 3, 2), 2, 5),
  tea2x2 = matrix(c(3, 1, 1, 3), 2, 2),
  sparse3x4 = matrix(c(4, 1, 0, 2, 5, 1, 0, 3, 6, 1, 1, 2), 3, 4),
  larger = matrix(c(12, 5, 7, 9, 3, 8, 10, 4, 6, 2, 9, 11, 5, 7, 3, 6), 4, 4),
  # an item by region table of a demo-sized wave (n = 100, 5 x 4, sparse)
  region5x4 = matrix(c(9, 11, 5, 4, 9, 11, 4, 3, 5, 5, 7, 5, 5, 7, 4, 2, 0, 1, 2, 1), 5, 4, byrow = TRUE),
  # a large 2 x 4 table (n = 3916): completion weights at one node differ by more than exp's range
  large2x4 = matrix(c(398, 323, 322, 212, 819, 669, 731, 442), 2, 4, byrow = TRUE)
)
# random sparse tables, 3 to 5 rows by 3 to 6 columns, n from 15 to 90, uneven margins
set.seed(20261123)
while (length(tables) < 8 + 24) {
  r <- sample(3:5, 1); c <- sample(3:6, 1); n <- sample(15:90, 1)
  t <- matrix(rmultinom(1, n, outer(runif(r)^2, runif(c)^2)), r, c)
  t <- t[rowSums(t) > 0, colSums(t) > 0, drop = FALSE]
  if (min(dim(t)) >= 2) tables[[sprintf("random%02d", length(tables) - 7)]] <- t
}
out <- lapply(tables, function(t) {
  x <- suppressWarnings(chisq.test(t, correct = FALSE))
  e <- x$expected
  g2 <- 2 * sum(ifelse(t > 0, t * log(t / e), 0))
  list(table = t, chi2 = unname(x$statistic), dof = unname(x$parameter), p = x$p.value,
       expected = unname(e), stdres = unname(x$stdres), g2 = g2,
       g2_p = pchisq(g2, unname(x$parameter), lower.tail = FALSE),
       cramers_v = sqrt(unname(x$statistic) / (sum(t) * (min(dim(t)) - 1))),
       fisher_p = fisher.test(t, workspace = 2e8)$p.value)
})
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, matrix = "rowmajor"), "reference.json")
cat("wrote reference.json\n")
