# Reference values for analysis.stats.ordinal: every link of clm, nominal_test, scale_test, and
# models with nominal (partial proportional odds) and scale effects.
# Run from this folder:  Rscript make_links.R
# Writes survey.csv, soup.csv and links.json. R 4.2.2, ordinal 2022.11.16, MASS 7.3-58.2.
suppressPackageStartupMessages({library(ordinal); library(MASS); library(jsonlite)})
options(digits = 15)
ctl <- clm.control(gradTol = 1e-10, maxIter = 500, maxLineIter = 200)

# --- data ---------------------------------------------------------------------------------
data(wine, package = "ordinal")          # wine.csv is written by make_reference.R
# MASS::survey: exercise (None < Some < Freq) on sex, pulse and age; rows with a missing value dropped by clm
sv <- survey[, c("Exer", "Sex", "Pulse", "Age")]
sv$Exer <- factor(sv$Exer, levels = c("None", "Some", "Freq"), ordered = TRUE)
write.csv(sv, "survey.csv", row.names = FALSE, na = "")
data(soup, package = "ordinal")
sp <- soup[, c("SURENESS", "PROD", "DAY", "SOUPTYPE", "GENDER")]
write.csv(sp, "soup.csv", row.names = FALSE)

summ <- function(m, newdata = NULL) {
  co <- summary(m)$coefficients  # rows: alpha, beta, zeta (by position: a scale effect may share a name)
  th <- names(m$alpha); be <- names(m$beta); ze <- names(m$zeta)
  ia <- seq_along(th); ib <- length(th) + seq_along(be); iz <- length(th) + length(be) + seq_along(ze)
  out <- list(
    thresholds = list(names = th, estimate = unname(m$alpha), std_err = unname(co[ia, "Std. Error"])),
    coefficients = list(names = be, estimate = unname(m$beta), std_err = unname(co[ib, "Std. Error"]),
                        z = unname(co[ib, "z value"]), p = unname(co[ib, "Pr(>|z|)"])),
    loglik = as.numeric(logLik(m)), df = attr(logLik(m), "df"), n = nobs(m), aic = AIC(m),
    max_grad = m$maxGradient)
  if (length(ze)) out$scale <- list(names = ze, estimate = unname(m$zeta), std_err = unname(co[iz, "Std. Error"]))
  if (!is.null(newdata)) out$predict <- unname(as.matrix(predict(m, newdata = newdata, type = "prob")$fit))
  out
}

tests <- function(t) {
  t <- as.data.frame(t)
  list(terms = rownames(t)[-1], df = unname(t$Df[-1]), loglik = unname(t$logLik[-1]), aic = unname(t$AIC[-1]),
       lr = unname(t$LRT[-1]), p = unname(t[-1, "Pr(>Chi)"]), loglik_base = t$logLik[1], aic_base = t$AIC[1])
}

wine_new <- data.frame(temp = factor(c("cold", "warm", "warm"), levels = levels(wine$temp)),
                       contact = factor(c("no", "yes", "no"), levels = levels(wine$contact)))
sv_new <- data.frame(Sex = factor(c("Female", "Male", "Male"), levels = levels(survey$Sex)),
                     Pulse = c(60, 75, 92), Age = c(18.5, 21, 40))
# clm stands in for the infinite thresholds of the first and last category by -1e5 and 1e5 (the
# linear predictor (1e5 - x'beta) / sigma). For every link but cauchit that is exact in double precision;
# for cauchit it takes 1 / (pi 1e5) = 3.2e-6 off the probability of those categories, which moves the
# estimates by about 1e-4. So for cauchit the reference is also the exact maximum likelihood, found
# here with pcauchy and true infinite thresholds (Newton steps from clm's estimates on the analytic gradient;
# standard errors from optimHess of the analytic gradient).
exact_cauchit <- function(formula, data, newdata, start) {
  mf <- model.frame(formula, data)
  y <- as.integer(model.response(mf)); J <- nlevels(model.response(mf))
  X <- model.matrix(formula, mf)[, -1, drop = FALSE]
  parts <- function(p) {
    a <- c(-Inf, p[1:(J - 1)], Inf); eta <- drop(X %*% p[-(1:(J - 1))])
    list(ua = a[y + 1] - eta, ub = a[y] - eta)
  }
  nll <- function(p) { u <- parts(p); pr <- pcauchy(u$ua) - pcauchy(u$ub); if (any(!(pr > 0))) Inf else -sum(log(pr)) }
  grad <- function(p) {
    u <- parts(p); pr <- pcauchy(u$ua) - pcauchy(u$ub); fa <- dcauchy(u$ua) / pr; fb <- dcauchy(u$ub) / pr
    g_th <- sapply(1:(J - 1), function(j) sum(fa[y == j]) - sum(fb[y == j + 1]))
    -c(g_th, -colSums(X * (fa - fb)))
  }
  par <- start  # Newton steps on the analytic gradient (Hessian by optimHess's differences of it)
  for (it in 1:20) { par <- par - solve(optimHess(par, nll, grad, control = list(ndeps = rep(1e-6, length(par)))), grad(par)); if (max(abs(grad(par))) < 1e-11) break }
  o <- list(par = par, objective = nll(par))
  se <- sqrt(diag(solve(optimHess(o$par, nll, grad, control = list(ndeps = rep(1e-6, length(par)))))))
  th <- o$par[1:(J - 1)]; be <- o$par[-(1:(J - 1))]
  Xn <- model.matrix(delete.response(terms(formula)), newdata)[, -1, drop = FALSE]
  cum <- pcauchy(outer(-drop(Xn %*% be), th, "+"))
  list(thresholds = list(estimate = unname(th), std_err = unname(se[1:(J - 1)])),
       coefficients = list(estimate = unname(be), std_err = unname(se[-(1:(J - 1))])),
       loglik = -o$objective, max_grad = max(abs(grad(o$par))),
       predict = unname(t(apply(cbind(0, cum, 1), 1, diff))))
}

ref <- list()
for (link in c("logit", "probit", "cloglog", "loglog", "cauchit")) {
  mw <- clm(rating ~ temp + contact, data = wine, link = link, control = ctl)
  ms <- clm(Exer ~ Sex + Pulse + Age, data = sv, link = link, control = ctl)
  ref[[paste0("wine_", link)]] <- summ(mw, wine_new)
  ref[[paste0("survey_", link)]] <- summ(ms, sv_new)
  if (link == "cauchit") {
    ref$wine_cauchit$exact <- exact_cauchit(rating ~ temp + contact, wine, wine_new, c(mw$alpha, mw$beta))
    ref$survey_cauchit$exact <- exact_cauchit(Exer ~ Sex + Pulse + Age, sv, sv_new, c(ms$alpha, ms$beta))
  }
}

# nominal_test / scale_test (ordinal's own functions; nominal_test refits nothing when given a control
# argument, so its fits use the default gradTol of 1e-6)
ref$nominal_test_wine <- tests(nominal_test(clm(rating ~ temp + contact, data = wine)))
ref$scale_test_wine <- tests(scale_test(clm(rating ~ temp + contact, data = wine, control = ctl)))
ref$nominal_test_survey <- tests(nominal_test(clm(Exer ~ Sex + Pulse + Age, data = sv)))
ref$scale_test_survey <- tests(scale_test(clm(Exer ~ Sex + Pulse + Age, data = sv, control = ctl)))
ref$nominal_test_soup <- tests(nominal_test(clm(SURENESS ~ PROD + DAY + SOUPTYPE, data = sp)))
ref$scale_test_soup <- tests(scale_test(clm(SURENESS ~ PROD + DAY + SOUPTYPE, data = sp, control = ctl)))
ref$nominal_test_soup_probit <- tests(nominal_test(clm(SURENESS ~ PROD + DAY + SOUPTYPE, data = sp, link = "probit")))

# partial proportional odds (nominal = ~ x) and scale effects
ref$wine_nominal_contact <- summ(clm(rating ~ temp, nominal = ~ contact, data = wine, control = ctl), wine_new)
ref$survey_nominal_sex <- summ(clm(Exer ~ Pulse + Age, nominal = ~ Sex, data = sv, control = ctl), sv_new)
ref$survey_nominal_pulse_probit <- summ(clm(Exer ~ Sex + Age, nominal = ~ Pulse, data = sv, link = "probit",
                                            control = ctl), sv_new)
ref$soup_nominal_souptype <- summ(clm(SURENESS ~ PROD + DAY, nominal = ~ SOUPTYPE, data = sp, control = ctl))
ref$soup_scale_prod <- summ(clm(SURENESS ~ PROD + DAY, scale = ~ PROD, data = sp, control = ctl),
                            data.frame(PROD = factor(c("Ref", "Test"), levels = levels(sp$PROD)),
                                       DAY = factor(c("1", "2"), levels = levels(sp$DAY))))
ref$survey_scale_age_cloglog <- summ(clm(Exer ~ Sex + Pulse, scale = ~ Age, data = sv, link = "cloglog",
                                         control = ctl), sv_new)
# an outcome category with no observations (no wine rated 3): clm drops it, thresholds 1|2, 2|4, 4|5
wine_no3 <- wine[wine$rating != 3, ]
ref$wine_empty_category <- summ(clm(rating ~ temp + contact, data = wine_no3, control = ctl))
ref$wine_empty_category$levels <- levels(wine_no3$rating)
write(toJSON(ref, digits = NA, auto_unbox = TRUE, pretty = TRUE), "links.json")
cat("wrote links.json\n")
