/** The inspector's shell. The traffic, budget and rules views arrive with the control API. */
export function App() {
  return (
    <main>
      <h1>Tollgate</h1>
      <p>The gateway is running. Point your app at the proxy URL printed in the terminal.</p>
    </main>
  )
}
