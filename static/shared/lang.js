// The page language every page shares (Korean first, English on request): one choice, kept in
// localStorage, so a person who switches on the finder reads the volunteer app in it too.

let lang = localStorage.getItem("reachable.lang") === "en" ? "en" : "ko";

export function getLang() { return lang; }

export function setLang(value) {
  lang = value === "en" ? "en" : "ko";
  localStorage.setItem("reachable.lang", lang);
  document.documentElement.lang = lang;
}
