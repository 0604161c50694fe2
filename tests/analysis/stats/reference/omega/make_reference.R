# Reference values for analysis.stats.reliability.omega: psych::omega(x, nfactors = 1)$omega.tot
# (omega total with the observed variance: (sum(R) - sum(u2)) / sum(R), R the correlation matrix with
# psych's automatic reversal of items loading negatively), its loadings and key.
# Run from this folder:  Rscript make_reference.R
# Writes the data (CSV) and reference.json. R 4.2.2, psych 2.2.9, psychTools 2.2.9 (for ability).
suppressPackageStartupMessages({library(psych); library(jsonlite)})
options(digits = 15)
data(bock, package = "psych")
data(ability, package = "psychTools")
bfi_items <- bfi[, 1:25]                       # A1..O5, answers 1..6, some missing
write.csv(bfi_items, "bfi.csv", row.names = FALSE, na = "")
write.csv(lsat6, "lsat6.csv", row.names = FALSE)
write.csv(lsat7, "lsat7.csv", row.names = FALSE)
write.csv(ability, "ability.csv", row.names = FALSE, na = "")   # 16 ICAR items, 0/1, 1143 missing answers

om <- function(x) {
  o <- suppressWarnings(suppressMessages(omega(x, nfactors = 1, plot = FALSE)))
  list(omega_tot = o$omega.tot, loadings = unname(o$schmid$sl[, 1]), u2 = unname(o$schmid$sl[, "u2"]),
       key = unname(o$key), n = nrow(x), names = colnames(x))
}
ref <- list()
for (s in c("A", "C", "E", "N", "O")) ref[[paste0("bfi_", s)]] <- om(bfi_items[, paste0(s, 1:5)])
ref$bfi_all <- om(bfi_items)
ref$lsat6 <- om(as.data.frame(lsat6))
ref$lsat7 <- om(as.data.frame(lsat7))
ref$ability <- om(ability)
# the demo wave's eight social-capital items (as in ../reliability/), for block_reliability's scale row
demo <- read.csv("../reliability/demo_social_capital.csv")[, 1:8]
ref$demo <- om(demo)
write(toJSON(ref, digits = NA, auto_unbox = TRUE, pretty = TRUE), "reference.json")
cat("wrote reference.json\n")
