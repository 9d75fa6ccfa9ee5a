const { LocalDate, LocalDateTime, Duration, Period, ChronoUnit, DateTimeFormatter } = require("js-joda-core");
exports.check = () => { const d = LocalDate.parse("2024-02-28"); return [d.plusDays(2).toString(), d.dayOfWeek().toString(), Period.between(d, LocalDate.of(2025, 1, 1)).toString(), Duration.ofMinutes(135).toString(), LocalDateTime.parse("2024-01-01T10:15:30").format(DateTimeFormatter.ofPattern("dd.MM.yyyy HH:mm")), d.until(LocalDate.of(2024, 12, 25), ChronoUnit.DAYS)]; };
exports.expected = () => (["2024-03-01","WEDNESDAY","P10M4D","PT2H15M","01.01.2024 10:15",301]);
