import { addDays, format, differenceInCalendarDays } from "date-fns";
export const check = () => [format(addDays(new Date(2024, 0, 30), 3), "yyyy-MM-dd"), differenceInCalendarDays(new Date(2024, 2, 1), new Date(2024, 1, 1))];
export const expected = () => (["2024-02-02", 29]);
